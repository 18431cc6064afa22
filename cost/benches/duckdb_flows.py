"""The baseline of the flows_read bench: DuckDB reading the same AWS flow-log files and grouping
bytes by source and destination address, on the threads it is given. Prints one line of JSON:
the seconds the query took, the rows read and the groups.

    python duckdb_flows.py FOLDER THREADS
"""

import json
import sys
import time

import duckdb

folder, threads = sys.argv[1], int(sys.argv[2])
columns = {
    name.replace("-", "_"): kind
    for name, kind in [
        ("version", "INTEGER"), ("account-id", "VARCHAR"), ("interface-id", "VARCHAR"),
        ("srcaddr", "VARCHAR"), ("dstaddr", "VARCHAR"), ("srcport", "INTEGER"), ("dstport", "INTEGER"),
        ("protocol", "INTEGER"), ("packets", "BIGINT"), ("bytes", "BIGINT"), ("start", "BIGINT"),
        ("end", "BIGINT"), ("action", "VARCHAR"), ("log-status", "VARCHAR"), ("vpc-id", "VARCHAR"),
        ("subnet-id", "VARCHAR"), ("instance-id", "VARCHAR"), ("region", "VARCHAR"), ("az-id", "VARCHAR"),
        ("flow-direction", "VARCHAR"), ("traffic-path", "VARCHAR"), ("pkt-srcaddr", "VARCHAR"),
        ("pkt-dstaddr", "VARCHAR"), ("pkt-src-aws-service", "VARCHAR"), ("pkt-dst-aws-service", "VARCHAR"),
    ]
}
connection = duckdb.connect()
connection.execute(f"SET threads = {threads}")
started = time.perf_counter()
rows = connection.execute(
    f"""
    SELECT srcaddr, dstaddr, SUM(bytes) AS bytes, COUNT(*) AS records
    FROM read_csv('{folder}/**/*.log.gz', delim=' ', header=true, compression='gzip', nullstr='-',
                  columns={columns!r})
    WHERE log_status = 'OK' AND action = 'ACCEPT' AND flow_direction = 'egress'
    GROUP BY srcaddr, dstaddr
    """
).fetchall()
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "groups": len(rows), "records": sum(r[3] for r in rows), "bytes": sum(r[2] for r in rows)}))
