#!/usr/bin/env python3
"""Time shell commands alternately, A B A B ..., and print the median wall
time of each and the ratio of each median to the first command's.

Usage: bench/alternate.py RUNS COMMAND [COMMAND ...]

Alternating spreads a busy neighbour or a cold cache over every command
alike, which back-to-back blocks of runs (hyperfine's way) do not. One
untimed run of each command warms the page cache first.
"""
import statistics
import subprocess
import sys
import time


def run(command):
    start = time.perf_counter()
    subprocess.run(command, shell=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    commands = sys.argv[2:]
    for command in commands:
        run(command)
    times = {command: [] for command in commands}
    for _ in range(runs):
        for command in commands:
            times[command].append(run(command))
    first = statistics.median(times[commands[0]])
    for command in commands:
        median = statistics.median(times[command])
        print(f"{median * 1000:9.1f} ms median  "
              f"(min {min(times[command]) * 1000:.1f}, "
              f"max {max(times[command]) * 1000:.1f}, n={runs})  "
              f"x{median / first:.2f}  {command}")


if __name__ == "__main__":
    main()
