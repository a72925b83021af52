"""Qwen2 tokenizer of a BAGEL checkpoint folder and the special-token ids, found by token string."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import SpecialTokens

BOS, EOS = "<|im_start|>", "<|im_end|>"
START_OF_IMAGE, END_OF_IMAGE = "<|vision_start|>", "<|vision_end|>"


def tokenizer_folder(folder: str | Path) -> Path:
    """The folder holding the tokenizer files: the checkpoint folder itself (the published
    repo) or its `tokenizer/` sub-folder (the tiny fixtures)."""
    folder = Path(folder)
    for candidate in (folder, folder / "tokenizer"):
        if (candidate / "tokenizer.json").is_file() or (candidate / "vocab.json").is_file():
            return candidate
    raise FileNotFoundError(
        f"no tokenizer in {folder} (expected tokenizer.json or vocab.json + merges.txt there or in tokenizer/)"
    )


@dataclass
class BagelTokenizer:
    """Thin wrapper: plain encode (no special tokens added), decode keeping special tokens."""

    hf: object  # a transformers PreTrainedTokenizer(Fast)
    special: SpecialTokens

    @classmethod
    def from_folder(cls, folder: str | Path) -> "BagelTokenizer":
        from transformers import AutoTokenizer, Qwen2Tokenizer

        where = str(tokenizer_folder(folder))
        try:
            hf = AutoTokenizer.from_pretrained(where, local_files_only=True)
        except (ValueError, OSError, KeyError):
            # A checkpoint's own config.json (model_type "bagel") can confuse AutoTokenizer.
            hf = Qwen2Tokenizer.from_pretrained(where, local_files_only=True)
        ids = {}
        unk = getattr(hf, "unk_token_id", None)
        for token in (BOS, EOS, START_OF_IMAGE, END_OF_IMAGE):
            token_id = hf.convert_tokens_to_ids(token)
            if token_id is None or token_id == unk:
                raise ValueError(f"tokenizer in {folder} has no {token} token: not a Qwen2/BAGEL tokenizer")
            ids[token] = int(token_id)
        special = SpecialTokens(bos=ids[BOS], eos=ids[EOS], start_of_image=ids[START_OF_IMAGE],
                                end_of_image=ids[END_OF_IMAGE])
        return cls(hf, special)

    def encode(self, text: str) -> list[int]:
        return list(self.hf.encode(text, add_special_tokens=False))

    def segment_ids(self, text: str) -> list[int]:
        """A text input as BAGEL writes it to the context: <|im_start|> text <|im_end|>."""
        return [self.special.bos, *self.encode(text), self.special.eos]

    def decode(self, ids: list[int]) -> str:
        return str(self.hf.decode(ids, skip_special_tokens=False))
