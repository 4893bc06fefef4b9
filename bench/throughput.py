#!/usr/bin/env python3
"""Compare the doctor's proxy throughput with curl's through the same path,
alternately, in the running namespace lab (tests/lab/lab.sh up).

Usage: bench/throughput.py [RUNS]   (default 7; run as root)

Each round runs, in this order and then the other way round:
  - capsem-doctor -k test_proxy_download_throughput in the lab, reading
    bytes_per_second from its JSON report;
  - curl -o /dev/null in the lab's network namespace, pinned to the
    sentinel with --resolve and trusting the lab CA, reading
    %{speed_download}.
Both download the lab profile's throughput_url through the nat rule, the
capsem-net-proxy bridge and the TLS-intercepting proxy. The script prints
the median of each and the doctor's ratio to curl.
"""
import json
import statistics
import subprocess
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "tests" / "lab" / "lab.sh"
PROFILE = json.loads((ROOT / "profiles" / "lab.json").read_text())
NETWORK = PROFILE["network"]
LAB_DIR = Path("/run/capsem-lab")
NETNS = "capsem-lab"


def doctor_rate():
    report = "/run/bench-throughput.json"
    subprocess.run(["bash", str(LAB), "run", "capsem-doctor", "--profile",
                    "/etc/capsem-doctor/lab.json", "-q", "-k",
                    "test_proxy_download_throughput", "--json", report],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    text = subprocess.run(["bash", str(LAB), "run", "cat", report],
                          capture_output=True, text=True, check=True).stdout
    result = json.loads(text)["results"][0]
    if result["verdict"] != "passed":
        sys.exit(f"throughput check {result['verdict']}: {result['message']}")
    return float(result["properties"]["bytes_per_second"])


def curl_rate(ca_file):
    url = NETWORK["throughput_url"]
    host = urllib.parse.urlsplit(url).hostname
    pin = f"{host}:{NETWORK['https_port']}:{NETWORK['sentinel_address']}"
    out = subprocess.run(["ip", "netns", "exec", NETNS, "curl", "-sS",
                          "--noproxy", "*", "--cacert", str(ca_file),
                          "--resolve", pin, "-o", "/dev/null", "-w",
                          "%{speed_download}", url],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    ca_file = LAB_DIR / "net" / "ca.crt"
    if not ca_file.exists():
        sys.exit(f"{ca_file} is missing: start the lab first "
                 f"(bash {LAB} up)")
    rates = {"capsem-doctor": [], "curl": []}
    doctor_rate(), curl_rate(ca_file)  # warm the page cache and the proxy
    for round_number in range(runs):
        pair = [("capsem-doctor", doctor_rate),
                ("curl", lambda: curl_rate(ca_file))]
        if round_number % 2:
            pair.reverse()
        for name, measure in pair:
            rates[name].append(measure())
    curl = statistics.median(rates["curl"])
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"{median / 1e6:8.1f} MB/s median  "
              f"(min {min(values) / 1e6:.1f}, max {max(values) / 1e6:.1f}, "
              f"n={runs})  x{median / curl:.2f} of curl  {name}")


if __name__ == "__main__":
    main()
