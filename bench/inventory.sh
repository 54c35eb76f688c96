#!/bin/bash
# The fleet inventory at scale, on SQLite and on PostgreSQL:
#
#   bench/inventory.sh [BUILD_DIR] [IMAGES] [COMPONENTS_PER_IMAGE]
#       (defaults: build, 10000, 500 -> 5 million component rows)
#
# 1. add: fills a fresh inventory through the store API (bench/inventory_add.c,
#    iota_inventory_add: one transaction per image with its components,
#    findings and tags, new components matched against the vulnerability DB)
#    and reports images/s over the whole run and for the last 1000 images;
# 2. query --cve: 'iotaudit inventory query --cve' for a CVE affecting 3/4 of
#    the fleet (7/8 of the images), one affecting 4/8 and one affecting 2/8
#    (dropbear <= 2020.81), best of 5 runs each: the query alone in a process that
#    has the inventory open, and the whole command (start, open, query, print
#    CSV) next to the start of 'iotaudit version' for reference;
# 3. rematch: every stored component matched again against the vulnerability
#    DB, and the matches replaced;
# 4. add through real scans: 'scan --batch -j 2 --store' of 40 distinct
#    copies of the fleet fixtures (scan-bound: reported for reference).
#
# The vulnerability DB is built from $IOTA_SHARED_DIR/data (NVD, CVE 5, KEV),
# skipped when absent (then no matching is timed). PostgreSQL runs as a
# private server in a temporary folder on a private port (as user postgres
# when run as root) and is stopped at the end; skipped when it cannot start.
# Figures go to stdout; bench/README.md has the ones measured.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
nimg=${2:-10000}
ncomp=${3:-500}
iotaudit=$build/iotaudit
shared=${IOTA_SHARED_DIR:-$top/../shared}
work=$(mktemp -d "${TMPDIR:-/tmp}/iota-inv-bench.XXXXXX")
chmod 0755 "$work"
pgbin=""
cleanup() {
	if [ -n "$pgbin" ] && [ -d "$work/pg/data" ]; then
		asuser "$pgbin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

say() { echo "inventory-bench: $*" >&2; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }
asuser() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ---- the store driver, linked against the library ----
say "compiling bench/inventory_add.c"
# shellcheck disable=SC2046 # word splitting of the flags is meant
cc -O2 -std=c17 -I "$top/include" "$top/bench/inventory_add.c" -o "$work/inventory_add" \
	"$build/libiotaudit.a" $(pkg-config --libs libarchive libsquashfs1 zlib liblzma libzstd liblz4 \
	lzo2 libcrypto jansson ext2fs com_err libhs libcrypt sqlite3 libcurl libfyaml libpcre2-8 libpq) \
	-lbz2 -lfdt -lstdc++ -lpthread -lm

vdb=""
if [ -d "$shared/data/nvd/records" ]; then
	vdb=$work/vuln.db
	"$iotaudit" db import --vulndb "$vdb" "$shared/data/nvd/records" "$shared/data/cve5" \
		"$shared/data/kev/known_exploited_vulnerabilities.json" >/dev/null 2>&1
else
	say "no $shared/data: components are not matched"
fi

# the fleet fixtures, for the real-scan add rate
fleet=$build/fixtures/fleet
if [ ! -s "$fleet/router-1.0.sqfs" ]; then
	"$top/tests/fixtures/make-fleet-fixtures.sh" "$build/fixtures" || true
fi

best_of() { # n cmd... -> best wall time in ms
	local n=$1 best="" t0 t1 ms
	shift
	for _ in $(seq "$n"); do
		t0=$(now)
		"$@" >/dev/null
		t1=$(now)
		ms=$(echo "($t1 - $t0) * 1000 / 1" | bc)
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}

run_backend() { # label url
	local label=$1 db=$2
	echo "== $label: $nimg images x $ncomp components"
	local t0 t1 out
	out=$(/usr/bin/time -f "%U %S" -o "$work/time-$label" "$work/inventory_add" "$db" "$nimg" "$ncomp" "$vdb" 2>"$work/add-$label.log")
	echo "add (store API):    $out"
	echo "                    CPU of the writer: $(awk -v n="$nimg" '{ printf "%.1f ms per image (user %.0f s, sys %.0f s)", ($1 + $2) * 1000 / n, $1, $2 }' "$work/time-$label")"
	echo "                    last 1000 images: $(tail -n 1 "$work/add-$label.log" | sed 's/.*at //')"
	local cve
	for cve in CVE-2022-48174 CVE-2021-42378 CVE-2021-36369; do
		echo "query --cve $cve: in the process $("$work/inventory_add" --query "$db" "$cve"), whole command best of 5 $(best_of 5 "$iotaudit" inventory query --db "$db" --cve "$cve" -f csv) ms"
	done
	echo "iotaudit version (process start, for reference): best of 5 $(best_of 5 "$iotaudit" version) ms"
	if [ -n "$vdb" ]; then
		t0=$(now)
		"$iotaudit" inventory rematch --db "$db" --vulndb "$vdb" -f csv >"$work/rematch.csv" 2>"$work/rematch.err"
		t1=$(now)
		echo "rematch:            $(secs "$t0" "$t1") s ($(cat "$work/rematch.err"))"
	fi
	if [ -s "$fleet/router-1.0.sqfs" ]; then
		local list=$work/list-$label
		: >"$list"
		mkdir -p "$work/variants"
		for i in $(seq 1 40); do
			local v=$(((i % 3) + 1)).0 dst=$work/variants/unit-$label-$i.sqfs
			cp "$fleet/router-$v.sqfs" "$dst"
			printf '\0%s %d\0' "$label" "$i" >>"$dst"
			echo "$dst" >>"$list"
		done
		"$iotaudit" scan --batch "$list" -j 2 --store "$db" ${vdb:+--vulndb "$vdb"} 2>&1 | tail -n 1 |
			sed 's/^/add (real scans):   /'
	fi
}

run_backend sqlite "$work/inventory.db"
ls -l "$work/inventory.db" | awk '{ printf "SQLite file: %.0f MB\n", $5 / 1048576 }'
rm -f "$work/inventory.db" "$work/inventory.db-wal" "$work/inventory.db-shm"

for d in /usr/lib/postgresql/*/bin; do
	[ -x "$d/initdb" ] && pgbin=$d
done
if [ -z "$pgbin" ]; then
	say "no PostgreSQL server binaries: PostgreSQL skipped"
	exit 0
fi
mkdir -p "$work/pg"
chmod 0777 "$work/pg"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if ! asuser "$pgbin/initdb" -D "$work/pg/data" -A trust -U iota --no-locale -E UTF8 >/dev/null ||
	! asuser "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o \
		"-p $port -k $work/pg -c listen_addresses='' -c shared_buffers=256MB -c max_wal_size=4GB" \
		start >/dev/null; then
	say "PostgreSQL did not start: skipped"
	exit 0
fi
run_backend postgresql "postgresql://iota@/postgres?host=$work/pg&port=$port"
