"""The reader in torch: the packaged MiniLM encoder with a start/end head; [CLS] scores 'no answer'."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModel


class SpanReader(torch.nn.Module):
    """Token states to start and end logits; position 0 ([CLS]) stands for 'the window does not say'."""

    def __init__(self, encoder: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.span = torch.nn.Linear(encoder.config.hidden_size, 2)

    @classmethod
    def from_encoder_folder(cls, folder: Path) -> "SpanReader":
        return cls(AutoModel.from_pretrained(str(folder)))

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        states = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        logits = self.span(states)
        return logits[..., 0], logits[..., 1]
