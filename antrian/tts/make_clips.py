"""Make the recorded clips the lobby display speaks with when the TV has no Indonesian voice.

Uses Debian's public text-to-speech tool espeak-ng (voice ``id``) and opusenc, and sox for
the chime: ``apt-get install espeak-ng opus-tools sox``, then
``python antrian/tts/make_clips.py``. Writes static/audio/id/<word>.ogg and
static/audio/chime.ogg; the clips are committed, so a deployment needs none of these tools.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "static" / "audio"

DIGITS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
# What the display says, short: <letter> <digits> "loket" <counter number>; full: "nomor antrian" <letter>
# <digits> "silakan ke loket" <counter number>.
WORDS = {w: w for w in DIGITS} | {
    "sepuluh": "sepuluh",
    "sebelas": "sebelas",
    "belas": "belas",
    "puluh": "puluh",
    "nomor-antrian": "nomor antrian",
    "silakan-ke-loket": "silakan ke loket",
    "loket": "loket",
}
# Letters as Indonesians name them.
LETTERS = {
    "a": "a", "b": "be", "c": "ce", "d": "de", "e": "e", "f": "ef", "g": "ge", "h": "ha", "i": "i",
    "j": "je", "k": "ka", "l": "el", "m": "em", "n": "en", "o": "o", "p": "pe", "q": "ki", "r": "er",
    "s": "es", "t": "te", "u": "u", "v": "ve", "w": "we", "x": "eks", "y": "ye", "z": "zet",
}  # fmt: skip


def _encode(wav: Path, target: Path) -> None:
    subprocess.run(["opusenc", "--quiet", "--bitrate", "24", str(wav), str(target)], check=True)


# espeak-ng pads every clip with about 0.2 s of silence at each end; a call is six or more clips,
# so the padding alone made it 2.5 s longer. It is cut down to TRIM_PAD, enough for a word boundary.
SPEED = 160  # words per minute: espeak-ng's default is 175; a little slower stays clear in a loud hall
TRIM = ["silence", "1", "0.02", "-45d", "reverse", "silence", "1", "0.02", "-45d", "reverse", "pad", "0.03", "0.05"]


def speak(text: str, target: Path, workdir: Path) -> None:
    """One clip: espeak-ng's Indonesian voice, its silences trimmed, as Ogg Opus."""
    raw, wav = workdir / "raw.wav", workdir / "clip.wav"
    subprocess.run(["espeak-ng", "-v", "id", "-s", str(SPEED), "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), str(wav), *TRIM], check=True)
    _encode(wav, target)


def chime(target: Path, workdir: Path) -> None:
    """A short two-tone "ding-dong" before each call (0.6 s: a call must be over in about 4 s)."""
    wav = workdir / "chime.wav"
    ding = ["synth", "0.22", "sine", "880", "fade", "0", "0.22", "0.15"]
    dong = ["synth", "0.38", "sine", "660", "fade", "0", "0.38", "0.3"]
    output = ["-r", "48000", "-b", "16", "-c", "1", str(wav)]
    subprocess.run(["sox", "-n", *output, *ding, ":", *dong, "gain", "-6"], check=True)
    _encode(wav, target)


def main() -> int:
    """Write every clip and the chime."""
    missing = [tool for tool in ("espeak-ng", "opusenc", "sox") if shutil.which(tool) is None]
    if missing:
        print(
            f"Install first: apt-get install espeak-ng opus-tools sox (missing: {', '.join(missing)})", file=sys.stderr
        )
        return 2
    (OUT / "id").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name, text in WORDS.items():
            speak(text, OUT / "id" / f"{name}.ogg", workdir)
        for letter, text in LETTERS.items():
            speak(text, OUT / "id" / f"huruf-{letter}.ogg", workdir)
        chime(OUT / "chime.ogg", workdir)
    print(f"{len(WORDS) + len(LETTERS)} clips and the chime written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
