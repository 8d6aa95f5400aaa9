#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Makes broken copies of the vmkernel image for the e2e tests, each with
# one defect the loader must name: bad-elf (ELF magic), bad-abi (the
# image header's ABI revision), bad-sig (the image header's signature),
# truncated (cut inside a segment).
#
# usage: tests/e2e/mkimages.sh IMAGE OUTDIR

set -eu
img=$1 out=$2
mkdir -p "$out"
# The image header sits at the file offset of the first PT_LOAD.
hdr=$(printf "%d" "$(readelf -lW "$img" | awk '$1 == "LOAD" { print $2; exit }')")

poke() {	# poke FILE OFFSET OCTAL-ESCAPED-BYTES
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

cp "$img" "$out/bad-elf";   poke "$out/bad-elf" 1 '\130'
cp "$img" "$out/bad-abi";   poke "$out/bad-abi" $((hdr + 8)) '\143\000\000\000'
cp "$img" "$out/bad-sig";   poke "$out/bad-sig" "$hdr" '\130\130'
head -c $((hdr + 3000)) "$img" > "$out/truncated"
