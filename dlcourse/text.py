"""Characters as tokens, for the language models from L2.10 on: a vocabulary, a train/validation
split, the two ways of cutting a long text into training windows, and a short sample text."""
from __future__ import annotations

from collections.abc import Iterator

import torch

# A few lines of tiny Shakespeare (public domain), for demos and tests that must run without the
# dataset: the widgets' default models train on it.
SAMPLE_SHAKESPEARE = """\
First Citizen:
Before we proceed any further, hear me speak.

All:
Speak, speak.

First Citizen:
You are all resolved rather to die than to famish?

All:
Resolved. resolved.

First Citizen:
First, you know Caius Marcius is chief enemy to the people.

All:
We know't, we know't.

First Citizen:
Let us kill him, and we'll have corn at our own price.
Is't a verdict?

All:
No more talking on't; let it be done: away, away!

Second Citizen:
One word, good citizens.

First Citizen:
We are accounted poor citizens, the patricians good.
What authority surfeits on would relieve us: if they
would yield us but the superfluity, while it were
wholesome, we might guess they relieved us humanely;
but they think we are too dear: the leanness that
afflicts us, the object of our misery, is as an
inventory to particularise their abundance; our
sufferance is a gain to them Let us revenge this with
our pikes, ere we become rakes: for the gods know I
speak this in hunger for bread, not in thirst for revenge.

ROMEO:
But, soft! what light through yonder window breaks?
It is the east, and Juliet is the sun.

JULIET:
O Romeo, Romeo! wherefore art thou Romeo?
Deny thy father and refuse thy name.

ROMEO:
Shall I hear more, or shall I speak at this?
"""


class CharVocab:
    """Every distinct character of a text, in sorted order; a character's id is its position."""

    def __init__(self, text: str):
        if not text:
            raise ValueError("CharVocab needs a non-empty text to take its characters from")
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        unknown = sorted(set(text) - self.index.keys())
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {''.join(unknown)!r} "
                             f"(the vocabulary has {len(self)} characters, taken from the training text)")
        return torch.tensor([self.index[c] for c in text], dtype=torch.long)

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


def split(ids: torch.Tensor, val_fraction: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """The first (1 - val_fraction) of the text for training, the rest for validation: a
    contiguous cut, so no validation window overlaps a training one."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction}")
    cut = int(len(ids) * (1 - val_fraction))
    return ids[:cut], ids[cut:]


def random_windows(ids: torch.Tensor, batch: int, length: int,
                   generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """`batch` windows of `length` ids from random places, and the same windows shifted by one
    (the next character to predict at every position): two (batch, length) tensors."""
    if len(ids) <= length:
        raise ValueError(f"the text has {len(ids)} ids, too few for windows of length {length}")
    starts = torch.randint(len(ids) - length, (batch,), generator=generator)
    offsets = torch.arange(length)
    return ids[starts[:, None] + offsets], ids[starts[:, None] + offsets + 1]


def stream_windows(ids: torch.Tensor, batch: int, length: int) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The text cut into `batch` parallel streams, read `length` ids at a time: window k+1 of row i
    continues window k of row i, so a recurrent net can carry its hidden state from one window to
    the next (truncated backpropagation through time)."""
    per_row = (len(ids) - 1) // batch
    if per_row < length:
        raise ValueError(f"the text has {len(ids)} ids, too few for {batch} streams of {length}")
    x = ids[:batch * per_row].view(batch, per_row)
    y = ids[1:batch * per_row + 1].view(batch, per_row)
    for start in range(0, per_row - length + 1, length):
        yield x[:, start:start + length], y[:, start:start + length]
