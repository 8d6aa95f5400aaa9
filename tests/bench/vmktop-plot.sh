#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Turns a vmktop batch file (perfmon CSV, `vmktop -b`) into PNG plots
# with gnuplot: for each counter asked for, one plot of every world that
# has it over the samples' time, and one of each physical CPU's
# utilisation.  Idle worlds are left out of the world plots (they show
# in the CPU plot as its complement).
#
# usage: tests/bench/vmktop-plot.sh CSV OUTPREFIX ["COUNTER"...]
#   COUNTER defaults to "% Used"; e.g. "% Ready" "% CoStop" "% Max Limited".
#   Writes OUTPREFIX-used.png (from the counter's name), OUTPREFIX-pcpu.png.

set -eu
usage() { sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; }
case ${1:-} in --help | -h) usage; exit 0 ;; esac
[ $# -ge 2 ] || { usage >&2; exit 2; }
csv=$1 prefix=$2
shift 2
[ $# -gt 0 ] || set -- "% Used"
command -v gnuplot >/dev/null || { echo "vmktop-plot: gnuplot is missing (scripts/install-deps.sh)" >&2; exit 1; }
head -n 1 "$csv" | grep -q '^"(PDH-CSV 4.0)' || { echo "vmktop-plot: $csv is not a vmktop -b file" >&2; exit 1; }
[ "$(wc -l < "$csv")" -ge 2 ] || { echo "vmktop-plot: $csv has no samples" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# columns FILTER: tab-separated data, first column the seconds since the
# first sample, then each column whose path matches FILTER (an awk
# regex on the whole path), titled by its instance.
columns() {
	F=$1 awk -F'","' '
	{ sub(/^"/, ""); sub(/"\r?$/, "") }
	NR == 1 {
		for (i = 2; i <= NF; i++)
			if ($i ~ ENVIRON["F"]) {
				c[++n] = i
				t = $i; sub(/\)\\[^\\]*$/, "", t); sub(/.*\(/, "", t)
				title[n] = t
			}
		printf "seconds"
		for (k = 1; k <= n; k++) printf "\t%s", title[k]
		printf "\n"
		next
	}
	{
		# "MM/DD/YYYY HH:MM:SS": seconds of the day, days counted on.
		split($1, d, " "); split(d[2], h, ":")
		s = h[1] * 3600 + h[2] * 60 + h[3]
		if (NR == 2) s0 = s
		if (s + day < last) day += 86400
		last = s + day
		printf "%d", last - s0
		for (k = 1; k <= n; k++) printf "\t%s", $c[k] == "" ? "NaN" : $c[k]
		printf "\n"
	}' "$csv"
}

plot() {	# plot DATA PNG TITLE YLABEL
	local n
	n=$(head -n 1 "$1" | awk -F'\t' '{ print NF }')
	[ "$n" -ge 2 ] || { echo "vmktop-plot: no column for $3" >&2; return 1; }
	gnuplot <<-EOF
		set terminal png size 900,500
		set output '$2'
		set datafile separator "\t"
		set title "$3"
		set xlabel "seconds"
		set ylabel "$4"
		set yrange [0:*]
		set key outside right
		set grid
		plot for [i=2:$n] '$1' using 1:i with linespoints title columnheader(i)
	EOF
	echo "vmktop-plot: $2"
}

for counter in "$@"; do
	name=$(echo "$counter" | tr -d '%' | tr -s ' ' | sed 's/^ //; s/ /-/g' | tr 'A-Z' 'a-z')
	esc=$(printf '%s' "$counter" | sed 's/[][\.*^$()+?{}|]/\\&/g')
	columns "\\\\Vcpu\\((console|system|helper|vmm|[^:]*):[0-9]+:.*\\)\\\\$esc\$" > "$tmp/$name.tsv"
	# Leave the idle worlds out.
	awk -F'\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = $i !~ /^idle:/ }
		{ line = ""; for (i = 1; i <= NF; i++) if (keep[i]) line = line (line == "" && i == 1 ? "" : OFS) $i; print line }' \
		"$tmp/$name.tsv" > "$tmp/$name.data"
	plot "$tmp/$name.data" "$prefix-$name.png" "vmktop: $counter by world" "$counter of one CPU"
done
columns '\\Physical Cpu\([0-9]+\)\\% Util Time$' > "$tmp/pcpu.data"
plot "$tmp/pcpu.data" "$prefix-pcpu.png" "vmktop: physical CPU utilisation" "% Util Time"
