#!/usr/bin/env bash
# Renders openum's built-in English prompts from prompts/en/texts.tsv (name TAB text) into
# prompts/en/NAME.wav: espeak-ng (voice en-us, 155 words a minute), then sox to 8 kHz mono
# 16-bit PCM, leading and trailing silence trimmed, peak normalised to -3 dBFS, no dither
# (so the same text gives the same bytes). Names and layout follow Asterisk's English core
# sounds (vm-intro.wav, digits/5.wav, ...) so that `--prompts` can point at such a set
# instead. Also writes prompts/en/README.md, the list of files and their texts.
#
# Idempotent: files whose bytes come out the same are left alone, WAV files that texts.tsv
# no longer names are removed. Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox).
#
# Usage: scripts/render-prompts.sh [--check]   (--check: render to a scratch folder and
# report the files that differ from the committed ones; exit 1 if any do)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/prompts/en"
texts="$dir/texts.tsv"
voice="en-us"
speed=160
check=0
[[ "${1:-}" == "--check" ]] && check=1

for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "render-prompts: $tool is not installed" >&2; exit 2; }
done

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

names=()
while IFS=$'\t' read -r name text; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  [[ "$name" =~ ^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)?$ ]] || { echo "render-prompts: bad name '$name'" >&2; exit 2; }
  [[ -n "$text" ]] || { echo "render-prompts: no text for '$name'" >&2; exit 2; }
  names+=("$name")
  mkdir -p "$scratch/out/$(dirname "$name")"
  espeak-ng -v "$voice" -s "$speed" -w "$scratch/raw.wav" -- "$text"
  # silence 1 0.01 0.3%: drop everything before the first 10 ms above 0.3% of full scale;
  # reverse, the same, reverse: the same at the end.
  sox -V1 -D "$scratch/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$scratch/out/$name.wav" \
    silence 1 0.01 0.3% reverse silence 1 0.01 0.3% reverse rate -v 8000 norm -3
done < "$texts"

changed=0
for name in "${names[@]}"; do
  if ! cmp -s "$scratch/out/$name.wav" "$dir/$name.wav"; then
    changed=$((changed + 1))
    if ((check)); then
      echo "differs: $name.wav"
    else
      mkdir -p "$(dirname "$dir/$name.wav")"
      cp "$scratch/out/$name.wav" "$dir/$name.wav"
    fi
  fi
done

# WAV files no longer named in texts.tsv
while IFS= read -r -d '' f; do
  rel="${f#"$dir/"}"
  rel="${rel%.wav}"
  keep=0
  for name in "${names[@]}"; do [[ "$name" == "$rel" ]] && { keep=1; break; }; done
  if ((!keep)); then
    changed=$((changed + 1))
    if ((check)); then echo "not in texts.tsv: $rel.wav"; else rm -f "$f"; fi
  fi
done < <(find "$dir" -name '*.wav' -print0)

readme="$scratch/README.md"
{
  echo "# Built-in English prompts"
  echo
  echo "Rendered by \`scripts/render-prompts.sh\` from \`texts.tsv\` with espeak-ng (voice $voice, $speed words"
  echo "a minute) and sox: 8 kHz mono 16-bit PCM WAV, silence trimmed, peak at -3 dBFS. Do not edit the WAV"
  echo "files by hand: edit \`texts.tsv\` and run the script again."
  echo
  echo "File names follow Asterisk's English core sounds, so \`--prompts\` can point at a recorded set laid"
  echo "out the same way (for example /usr/share/asterisk/sounds/en); any prompt that set lacks is taken from"
  echo "here. \`beep\` is not a file: openum generates it (1 kHz, 250 ms) unless a prompts folder has one."
  echo
  echo "| file | text |"
  echo "|---|---|"
  while IFS=$'\t' read -r name text; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    echo "| \`$name.wav\` | ${text//|/\\|} |"
  done < "$texts"
} > "$readme"
if ! cmp -s "$readme" "$dir/README.md"; then
  changed=$((changed + 1))
  if ((check)); then echo "differs: README.md"; else cp "$readme" "$dir/README.md"; fi
fi

bytes=$(find "$dir" -name '*.wav' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
echo "render-prompts: ${#names[@]} prompts, $changed changed, $bytes bytes of WAV in prompts/en" >&2
if ((check && changed)); then exit 1; fi
exit 0
