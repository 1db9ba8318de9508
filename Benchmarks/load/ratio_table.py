"""Prints `make bench`'s closing table from the rows the benchmarks appended to one file
(tab-separated: measure, gateway, peer figure, peer, ratio, goal), so that every figure with
a peer stands beside it, from the same run. Usage: ratio_table.py FILE"""
import sys

header = ["measure", "gateway", "peer", "peer is", "ratio", "goal"]
try:
    rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
except FileNotFoundError:
    rows = []
rows = [row + [""] * (len(header) - len(row)) for row in rows]
widths = [max(len(row[column]) for row in [header] + rows) for column in range(len(header))]
print()
print("make bench, side by side (one run, this machine):")
for row in [header] + rows:
    print("  " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths)))
