"""Our own quality score of a fingerprint image, for a scanner that reports none.

The reference is NFIQ 2 (NIST; ISO/IEC 29794-4), a model trained on many features of a 500 ppi
image. This is not NFIQ 2 and is not calibrated against it: it computes two of NFIQ 2's feature
families that OpenCV measures cheaply, over 16-pixel blocks —

- orientation certainty (NFIQ 2's "OCL"): how sure the local ridge direction is, from the
  gradient structure tensor (1 where ridges run straight and parallel, 0 for noise or blur);
- ridge–valley contrast: the spread of grey values in the block (a pale or smudged print is flat);

and the share of the image that holds ridges at all (a finger barely on the glass). The score,
0–100 like NFIQ 2's, is their product, so any one failing pulls it down. Its limits: it knows
nothing of minutiae, ridge frequency or the finger's position; a clean synthetic pattern scores
high; a wet or dry print that keeps straight ridges is not caught. Where the device reports a
score (SBI's `qualityScore`), that score is the one kept. The threshold for a retake is reference
data (`FINGER_QUALITY_MIN`), an assumption [unverified] like NFIQ 2's own cut-offs in use.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from cccd.enrollments.intake.thresholds import thresholds

BLOCK = 16
"""Pixels: about two ridge periods at 500 ppi (a ridge and valley take 8–10 pixels)."""
FOREGROUND_STD = 12.0
"""A block whose grey values spread less than this holds no ridges (glass, background)."""
FULL_CONTRAST = 0.35
"""The ridge–valley spread (of 255) from which contrast no longer lowers the score."""
FULL_COVERAGE = 0.55
"""The share of blocks with ridges from which coverage no longer lowers the score."""
FINGER_QUALITY_MIN = int(thresholds().own["fingerprint"])
"""Below this score the desk offers a retake; after three tries the best is kept with a reason.
Reference data: `enrollments/data/quality.json` (`thresholds`)."""
MEASURE = "cccd-ocl-1"
"""Stored beside the score so a later measure is never compared with this one."""
MAX_SIDE = 1000
"""Longer images are reduced first: the score is a block statistic, and time stays bounded."""


@dataclass(frozen=True)
class FingerQuality:
    score: int
    orientation_certainty: float
    contrast: float
    coverage: float

    def as_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "measure": MEASURE,
            "orientation_certainty": round(self.orientation_certainty, 3),
            "contrast": round(self.contrast, 3),
            "coverage": round(self.coverage, 3),
        }


def measure(grey: np.ndarray) -> FingerQuality:
    """The score of a grey fingerprint image (uint8, one channel, at least one block)."""
    image = _bounded(grey).astype(np.float32)
    rows, cols = image.shape[0] // BLOCK, image.shape[1] // BLOCK
    if rows == 0 or cols == 0:
        return FingerQuality(0, 0.0, 0.0, 0.0)
    image = image[: rows * BLOCK, : cols * BLOCK]
    gx = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3)
    gxx, gyy, gxy = (_block_sums(g, rows, cols) for g in (gx * gx, gy * gy, gx * gy))
    coherence = np.sqrt((gxx - gyy) ** 2 + 4 * gxy**2) / (gxx + gyy + 1e-6)
    blocks = image.reshape(rows, BLOCK, cols, BLOCK).swapaxes(1, 2).reshape(rows, cols, -1)
    spread = np.percentile(blocks, 95, axis=2) - np.percentile(blocks, 5, axis=2)
    foreground = blocks.std(axis=2) >= FOREGROUND_STD
    if not foreground.any():
        return FingerQuality(0, 0.0, 0.0, 0.0)
    certainty = float(coherence[foreground].mean())
    contrast = float(np.median(spread[foreground]) / 255)
    coverage = float(foreground.mean())
    product = certainty * min(1.0, contrast / FULL_CONTRAST) * min(1.0, coverage / FULL_COVERAGE)
    return FingerQuality(round(100 * product), certainty, contrast, coverage)


def _bounded(grey: np.ndarray) -> np.ndarray:
    long_side = max(grey.shape[:2])
    if long_side <= MAX_SIDE:
        return grey
    scale = MAX_SIDE / long_side
    size = (max(1, round(grey.shape[1] * scale)), max(1, round(grey.shape[0] * scale)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA)


def _block_sums(values: np.ndarray, rows: int, cols: int) -> np.ndarray:
    sums: np.ndarray = values.reshape(rows, BLOCK, cols, BLOCK).sum(axis=(1, 3))
    return sums
