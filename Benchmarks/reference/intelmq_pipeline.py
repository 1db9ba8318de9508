#!/usr/bin/env python3
"""The peer side of `make bench-ingest`: IntelMQ 3.5 (PyPI intelmq) on the same workload.

  intelmq_pipeline.py WORKLOAD_DIR

WORKLOAD_DIR is what ../shared/bench/workload.py wrote (reports.jsonl, hosts, ip2asn.tsv).
A pipeline of IntelMQ's shipped bots over Redis, each bot its own process as intelmqctl runs
them: file collector -> JSON parser -> deduplicator -> ASN lookup (pyasn, from the workload's
IP table) -> MaxMind GeoIP (a City database written from the same table) -> Sieve -> file
output. The reports are given as IntelMQ events with the address their host resolves to (the
workload's hosts file), so IntelMQ does no DNS; the gateway resolves through dnsmasq. Timed from
the collector's start to the last event written. Prints {"reports", "events_out", "seconds",
"reports_per_s", "peak_rss_mib"} (the bots' and Redis's resident memory summed at its peak).
Started as root, a bot would drop to an `intelmq` user; here each keeps the caller's user.
"""
import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import intelmq
import psutil


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    source = os.path.abspath(sys.argv[1])
    root = tempfile.mkdtemp(prefix="intelmq-bench-")
    if os.environ.get("KEEP"):
        print(root, file=sys.stderr)
    try:
        run(source, root)
    finally:
        # KEEP=1 keeps the bots' tree (logs in var/log) for a look after a failed run.
        if not os.environ.get("KEEP"):
            shutil.rmtree(root, ignore_errors=True)


def run(source, root):
    etc = os.path.join(root, "etc")
    for sub in ("etc", "var/log", "var/run", "var/lib/bots", "in", "out"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    shutil.copy(os.path.join(os.path.dirname(intelmq.__file__), "etc", "harmonization.conf"), etc)

    # The IP table as pyasn's text format and as a GeoIP City database.
    ranges = []
    for line in open(os.path.join(source, "ip2asn.tsv")):
        first, last, asn, country = line.rstrip("\n").split("\t")[:4]
        nets = ipaddress.summarize_address_range(ipaddress.ip_address(first), ipaddress.ip_address(last))
        ranges += [(str(net), int(asn), country) for net in nets]
    with open(os.path.join(root, "ipasn.dat"), "w") as out:
        out.write("; IP-ASN32-DAT file\n; Original source:\tworkload\n; Converted on:\tbench\n; Prefixes-v4:\t0\n; Prefixes-v6:\t0\n")
        for net, asn, _ in ranges:
            out.write(f"{net}\t{asn}\n")
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, database_type="GeoLite2-City", languages=["en"], ipv4_compatible=True)
    for net, _, country in ranges:
        writer.insert_network(IPSet([net]), {"country": {"iso_code": country, "names": {"en": country}}})
    writer.to_db_file(os.path.join(root, "city.mmdb"))

    hosts = {}
    for line in open(os.path.join(source, "hosts")):
        parts = line.split()
        if len(parts) == 2:
            hosts[parts[1]] = parts[0]
    count = 0
    with open(os.path.join(root, "reports.tmp"), "w") as out:
        for line in open(os.path.join(source, "reports.jsonl")):
            report = json.loads(line)
            host = report["url"].split("/")[2]
            event = {"source.url": report["url"], "source.fqdn": host, "classification.type": "other",
                     "feed.name": "workload", "extra.source_type": report.get("source", {}).get("type", "public")}
            if host in hosts:
                event["source.ip"] = hosts[host]
            md5 = report.get("hashes", {}).get("md5")
            if md5:
                event["malware.hash.md5"] = md5
            out.write(json.dumps(event) + "\n")
            count += 1
    with open(os.path.join(root, "rules.sieve"), "w") as out:
        out.write('if source.geolocation.cc == "NL" { add extra.route = "notice" }\n'
                  'elif :exists source.ip { add extra.route = "forward" }\n'
                  'else { add extra.route = "analyst" }\n')

    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    output = os.path.join(root, "out", "events.jsonl")

    def bot(name, module, parameters, destination):
        if destination:
            parameters["destination_queues"] = {"_default": [destination + "-queue"]}
        return {"bot_id": name, "enabled": True, "group": "x", "module": module, "run_mode": "continuous", "parameters": parameters}

    cache = {"redis_cache_host": "127.0.0.1", "redis_cache_port": port, "redis_cache_db": 6, "redis_cache_ttl": 86400}
    runtime = {
        "global": {"source_pipeline_host": "127.0.0.1", "source_pipeline_port": port, "destination_pipeline_host": "127.0.0.1",
                   "destination_pipeline_port": port, "logging_path": os.path.join(root, "var/log/"), "logging_level": "ERROR",
                   "error_dump_message": False, "statistics_port": port, "statistics_host": "127.0.0.1", "statistics_database": 3},
        "collector": bot("collector", "intelmq.bots.collectors.file.collector_file",
                         {"path": os.path.join(root, "in"), "postfix": ".jsonl", "delete_file": True, "rate_limit": 1,
                          "name": "workload", "provider": "bench"}, "parser"),
        "parser": bot("parser", "intelmq.bots.parsers.json.parser", {"splitlines": True}, "deduplicator"),
        "deduplicator": bot("deduplicator", "intelmq.bots.experts.deduplicator.expert",
                            dict(cache, filter_type="blacklist", filter_keys="raw,time.observation,extra.source_type"), "asn"),
        "asn": bot("asn", "intelmq.bots.experts.asn_lookup.expert", {"database": os.path.join(root, "ipasn.dat")}, "geoip"),
        "geoip": bot("geoip", "intelmq.bots.experts.maxmind_geoip.expert", {"database": os.path.join(root, "city.mmdb")}, "sieve"),
        "sieve": bot("sieve", "intelmq.bots.experts.sieve.expert", {"file": os.path.join(root, "rules.sieve")}, "output"),
        "output": bot("output", "intelmq.bots.outputs.file.output", {"file": output, "hierarchical_output": False}, None),
    }
    from ruamel.yaml import YAML  # what IntelMQ itself reads runtime.yaml with

    with open(os.path.join(etc, "runtime.yaml"), "w") as out:
        YAML(typ="safe").dump(runtime, out)
    env = dict(os.environ, INTELMQ_ROOT_DIR=root)
    # A bot started as root drops to an `intelmq` user, which could not read this Python's
    # files; on this loopback-only benchmark it keeps the caller's user instead.
    launcher = "import sys, intelmq.lib.utils as u; u.drop_privileges = lambda: True; import importlib; importlib.import_module(sys.argv.pop(1)).BOT.run()"
    bots = []
    try:
        time.sleep(0.5)
        for name in ("output", "sieve", "geoip", "asn", "deduplicator", "parser", "collector"):
            module = runtime[name]["module"]
            bots.append(subprocess.Popen([sys.executable, "-c", launcher, module, name], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(3)  # every bot initialized (and blocked on its queue) before the clock starts
        started = time.time()
        os.rename(os.path.join(root, "reports.tmp"), os.path.join(root, "in", "reports.jsonl"))
        peak = 0
        # Watched by its size alone, so that the watching takes no time from the bots.
        last_size, last_change = 0, started
        while time.time() - started < 1800:
            time.sleep(0.2)
            rss = 0
            for process in bots + [redis]:
                try:
                    rss += psutil.Process(process.pid).memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, rss)
            size = os.path.getsize(output) if os.path.exists(output) else 0
            if size != last_size:
                last_size, last_change = size, time.time()
            elif size and time.time() - last_change > 5:
                break
        seconds = os.path.getmtime(output) - started
        with open(output) as events:
            events_out = sum(1 for _ in events)
    finally:
        for process in bots:
            process.terminate()
        for process in bots:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        redis.terminate()
        redis.wait()
    print(json.dumps({"reports": count, "events_out": events_out, "seconds": seconds, "reports_per_s": count / seconds,
                      "peak_rss_mib": peak // (1 << 20)}))


if __name__ == "__main__":
    main()
