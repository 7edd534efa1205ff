#!/usr/bin/env bash
# Builds the benchmarks and runs all of them (JMH micro-benchmarks, in-memory, H2 file mode and,
# when SIGNAL_BUS_BENCH_POSTGRES_URL is set, PostgreSQL), writing the table into docs/benchmarks.md.
# Extra arguments go to io.signalbus.benchmarks.MacroBenchmarks, e.g. --quick, --backlog 100000,
# --only micro,memory,h2,postgres, --parts publish,catchup,fanout,e2e,txpublish,instances,partitions,
# --out /tmp/benchmarks.md.
# JVM options can be added with BENCH_JAVA_OPTS (e.g. a JFR recording).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -Pbenchmarks -pl signal-bus-benchmarks -am package -DskipTests
exec java -Xms2g -Xmx2g ${BENCH_JAVA_OPTS:-} -cp signal-bus-benchmarks/target/benchmarks.jar \
    io.signalbus.benchmarks.MacroBenchmarks "$@"
