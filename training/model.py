"""The reader in torch: the packaged MiniLM encoder with a start/end head; [CLS] scores 'no answer'."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoConfig, AutoModel

# The encoder's weights file in a base folder.
WEIGHTS_FILE = "model.safetensors"
# The encoder's embedding module; a device kit's base holds only it (`training/device.py`).
EMBEDDINGS = "embeddings."


class SpanReader(torch.nn.Module):
    """Token states to start and end logits; position 0 ([CLS]) stands for 'the window does not say'."""

    def __init__(self, encoder: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.span = torch.nn.Linear(encoder.config.hidden_size, 2)

    @classmethod
    def from_encoder_folder(cls, folder: Path) -> "SpanReader":
        """The reader over the base encoder in `folder`. A base that holds only the embedding tables (a
        device kit's, `training/device.py`) gives them, upcast to float32, over encoder layers left at
        random: only weights loaded over them after (`--from-shipped`, `--init`, an export's) make sense."""
        if holds_encoder_layers(folder):
            return cls(AutoModel.from_pretrained(str(folder)))
        from safetensors.torch import load_file

        encoder = AutoModel.from_config(AutoConfig.from_pretrained(str(folder)))
        stored = load_file(str(Path(folder) / WEIGHTS_FILE))
        own = encoder.state_dict()
        for name, tensor in stored.items():
            if not name.startswith(EMBEDDINGS) or name not in own or own[name].shape != tensor.shape:
                raise ValueError(f"{folder / WEIGHTS_FILE}: {name} is not one of the encoder's embedding tables")
        encoder.load_state_dict({n: t.to(own[n].dtype) for n, t in stored.items()}, strict=False)
        return cls(encoder)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        states = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        logits = self.span(states)
        return logits[..., 0], logits[..., 1]


def holds_encoder_layers(folder: Path) -> bool:
    """Whether the base folder's weights hold the encoder's layers (a packaged model's do; a device
    kit's hold only the embedding tables)."""
    from safetensors import safe_open

    path = Path(folder) / WEIGHTS_FILE
    if not path.exists():
        return True  # another format (pytorch_model.bin): transformers reads it whole, as before
    with safe_open(str(path), "pt") as weights:
        return any(not k.startswith(EMBEDDINGS) for k in weights.keys())
