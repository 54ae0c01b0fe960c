#!/usr/bin/env bash
# bench.sh: time mailcop against the reference tools of SPEC section 4, side
# by side in one run, on one generated mail log with a warm cache.
#
#   BENCH_SIZE=1G  size of the generated log (e.g. 16M for a quick run)
#   BENCH_RUNS=5   runs of each command; the table shows the median
#   BENCH_FILE=... use this log instead of generating bench/mail-$BENCH_SIZE.log
#
# Rows are added with add_row [-o] LABEL COMMAND...; the first row is the
# baseline the others are compared with. A command that fails is reported,
# not fatal: stages that are not built yet show up as such.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

size=${BENCH_SIZE:-1G}
runs=${BENCH_RUNS:-5}
file=${BENCH_FILE:-bench/mail-$size.log}

if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
	echo "bench.sh: BENCH_RUNS must be a positive integer, not '$runs'" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

note() { printf 'bench.sh: %s\n' "$*" >&2; }

# now prints the wall clock in seconds with microseconds.
now() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then
		printf '%s\n' "${EPOCHREALTIME/,/.}"
	else
		date +%s.%N
	fi
}

# ---- build and data

note "building bin/ (go build -o bin/ ./cmd/...)"
if ! go build -o bin/ ./cmd/... 2>"$tmp/build.err"; then
	# Other stages may be mid-edit; parse alone may still build.
	note "warning: go build ./cmd/... failed: $(head -n 1 "$tmp/build.err")"
	go build -o bin/ ./cmd/mailcop-parse 2>"$tmp/build.err" ||
		note "warning: go build ./cmd/mailcop-parse failed: $(head -n 1 "$tmp/build.err")"
fi

if [[ ! -s $file ]]; then
	if [[ -n ${BENCH_FILE:-} ]]; then
		note "BENCH_FILE $file is missing or empty"
		exit 1
	fi
	mkdir -p "$(dirname "$file")"
	note "generating $file ($size, seed 1)"
	start=$(now)
	# genlog renames the file into place only once complete, so an
	# interrupted run leaves nothing that would pass for a full log.
	if ! go run ./internal/loggen/genlog -size "$size" -seed 1 -o "$file" -truth "${file%.log}.truth.json"; then
		note "generating $file failed"
		exit 1
	fi
	note "generated in $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }')"
fi

bytes=$(wc -c <"$file")
lines=$(wc -l <"$file")

# ---- peak memory: GNU time's %M, else polling VmHWM

rss_mode=poll
if /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
	rss_mode=gnu
elif command -v apt-get >/dev/null && [[ $(id -u) == 0 ]]; then
	note "installing GNU time (Debian package 'time') for peak memory"
	if { apt-get install -y -qq time || { apt-get update -qq && apt-get install -y -qq time; }; } >/dev/null 2>&1 &&
		/usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
		rss_mode=gnu
	fi
fi
[[ $rss_mode == gnu ]] || note "GNU time unavailable: peak memory sampled from /proc every 10 ms"

# run_once OUT CMD... runs CMD with stdout to OUT and stderr kept in
# $tmp/err, and sets status, wall (seconds) and rss (KiB, "" if unknown).
run_once() {
	local out=$1 start end key value hwm=0 pid
	shift
	rss=""
	start=$(now)
	if [[ $rss_mode == gnu ]]; then
		/usr/bin/time -f %M -o "$tmp/rss" "$@" >"$out" 2>"$tmp/err"
		status=$?
		end=$(now)
		# GNU time prefixes "Command exited with non-zero status N".
		rss=$(tail -n 1 "$tmp/rss" 2>/dev/null)
		[[ $rss =~ ^[0-9]+$ ]] || rss=""
	else
		"$@" >"$out" 2>"$tmp/err" &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			while read -r key value _; do
				[[ $key == VmHWM: ]] && hwm=$value
			done <"/proc/$pid/status" 2>/dev/null
			sleep 0.01
		done
		wait "$pid"
		status=$?
		end=$(now)
		((hwm > 0)) && rss=$hwm
	fi
	wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
}

# ---- rows

labels=()
cmds=()  # each command's words joined by \x1f, so that any argument survives
outs=()  # where each command's stdout goes

# add_row [-o] LABEL CMD... adds a row. Output goes to /dev/null, or with -o
# to a file, for tools that notice /dev/null and stop early: GNU grep then
# behaves as with -q and quits at the first match.
add_row() {
	local out=/dev/null
	if [[ $1 == -o ]]; then
		out="$tmp/out.${#labels[@]}"
		shift
	fi
	local label=$1
	shift
	labels+=("$label")
	outs+=("$out")
	cmds+=("$(printf '%s\x1f' "$@")")
}

declare -A times=() rsss=() failed=()

# measure I runs row I once and records its time, or why it failed.
measure() {
	local i=$1 label=${labels[$1]} cmd
	mapfile -t -d $'\x1f' cmd < <(printf '%s' "${cmds[$i]}")
	run_once "${outs[$i]}" "${cmd[@]}"
	if ((status != 0)); then
		failed[$label]="exit $status: $(head -c 200 "$tmp/err" | head -n 1)"
		return
	fi
	times[$label]+="$wall "
	if [[ -n $rss ]] && ((rss > ${rsss[$label]:-0})); then
		rsss[$label]=$rss
	fi
}

# Later stages add their rows here (geo, count, tail -a, ...).
add_row -o "grep -c" env LC_ALL=C grep -cE '(unknown.user|Password.mismatch)' "$file"
add_row "cat" cat "$file"
add_row "mailcop-parse" bin/mailcop-parse "$file"

# mailcop-geo: 1M records as mailcop-parse writes them (its output on $file,
# repeated as needed), against jq setting one key on the same records. The
# embedded table answers, so the rows compare the same work on any machine;
# "mailcop-geo (found)" uses whatever database is installed, as it would in
# the pipeline.
geo_records=1000000
geo_in=${file%.log}.records-1M.ndjson
if [[ ! -s $geo_in || $geo_in -ot $file ]] && [[ -x bin/mailcop-parse ]]; then
	note "making $geo_in ($geo_records records from mailcop-parse)"
	if bin/mailcop-parse "$file" >"$tmp/records" && [[ -s $tmp/records ]]; then
		: >"$tmp/records-1M"
		while (($(wc -l <"$tmp/records-1M") < geo_records)); do
			cat "$tmp/records" >>"$tmp/records-1M"
		done
		head -n "$geo_records" "$tmp/records-1M" >"$geo_in.tmp" && mv "$geo_in.tmp" "$geo_in"
	else
		note "warning: mailcop-parse made no records: no mailcop-geo rows"
	fi
	rm -f "$tmp/records" "$tmp/records-1M"
fi
if [[ -s $geo_in ]]; then
	add_row "mailcop-geo" bin/mailcop-geo -db none -asn-db none "$geo_in"
	add_row "jq .country=XX" jq -c '.country="XX"' "$geo_in"
	for d in /var/lib/GeoIP /usr/share/GeoIP /usr/local/share/GeoIP; do
		if compgen -G "$d/*.mmdb" >/dev/null; then
			add_row "mailcop-geo (found)" bin/mailcop-geo "$geo_in"
			break
		fi
	done
fi

# mailcop-count: the same 1M records grouped by address, against jq
# merely re-printing them (target: at least 5x jq's records/s).
if [[ -s $geo_in ]]; then
	add_row "mailcop-count" bin/mailcop-count -by ip "$geo_in"
	add_row "jq -c ." jq -c . "$geo_in"
fi

# mailcop-tail -a: the log as four gzip'd rotated files (FILE.4.gz, the
# oldest, to FILE.1.gz, made once beside $file) and an empty live file,
# against gzip -dc on the same files (target: at most 1.5x its time).
tail_dir=${file%.log}.history
tail_gz=("$tail_dir/mail.log.4.gz" "$tail_dir/mail.log.3.gz" "$tail_dir/mail.log.2.gz" "$tail_dir/mail.log.1.gz")
make_history() {
	local d=$tail_dir.tmp k
	rm -rf "$d" && mkdir -p "$d" || return 1
	split -n l/4 -d -a 1 "$file" "$d/part" || return 1
	for k in 0 1 2 3; do
		gzip -c "$d/part$k" >"$d/mail.log.$((4 - k)).gz" && rm "$d/part$k" || return 1
	done
	: >"$d/mail.log" && rm -rf "$tail_dir" && mv "$d" "$tail_dir"
}
if [[ ! -s ${tail_gz[3]} || ${tail_gz[3]} -ot $file ]]; then
	note "making $tail_dir (the log as four gzip'd rotated files)"
	make_history || note "warning: making $tail_dir failed: no mailcop-tail -a rows"
fi
if [[ -s ${tail_gz[3]} ]]; then
	add_row "gzip -dc" gzip -dc "${tail_gz[@]}"
	add_row "mailcop-tail -a" bin/mailcop-tail -a "$tail_dir/mail.log"
	# The whole pipeline over the gzip'd history, against the old scripts'
	# (zcat | grep | grep -o | sort | uniq -c, which sees only the lines
	# that name their reason): target no slower.
	# shellcheck disable=SC2016 # the inner sh expands them
	add_row "pipeline" sh -c 'bin/mailcop-tail -a "$1/mail.log" | bin/mailcop-parse | bin/mailcop-geo -db none -asn-db none | bin/mailcop-count -by ip' sh "$tail_dir"
	# shellcheck disable=SC2016
	add_row "old scripts" sh -c 'gzip -dc "$@" | LC_ALL=C grep -E "(unknown.user|Password.mismatch)" | LC_ALL=C grep -oE "[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+" | sort | uniq -c' sh "${tail_gz[@]}"
fi

# ---- run

note "warming the cache"
cat "$file" >/dev/null
cat "$file" >/dev/null

n=${#labels[@]}
for ((run = 0; run < runs; run++)); do
	# Rotate the starting row so that no command always runs first.
	for ((k = 0; k < n; k++)); do
		i=$(((run + k) % n))
		[[ -n ${failed[${labels[$i]}]:-} ]] && continue
		measure "$i"
	done
	note "run $((run + 1))/$runs done"
done

# ---- report

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

base=${labels[0]}
base_median=""
[[ -z ${failed[$base]:-} ]] && base_median=$(median <<<"${times[$base]}")

printf '\n%s: %s bytes (%.2f GiB), %s lines; %s runs, warm cache\n\n' \
	"$file" "$bytes" "$(awk -v b="$bytes" 'BEGIN { print b / 2^30 }')" "$lines" "$runs"
printf '%-16s %9s %9s %9s %11s %9s %10s\n' command median min max "MB/s" "peak RSS" "x $base"
for label in "${labels[@]}"; do
	if [[ -n ${failed[$label]:-} ]]; then
		printf '%-16s failed (%s)\n' "$label" "${failed[$label]}"
		continue
	fi
	sorted=$(tr ' ' '\n' <<<"${times[$label]}" | grep . | sort -g)
	med=$(median <<<"${times[$label]}")
	rss_text=n/a
	[[ -n ${rsss[$label]:-} ]] && rss_text=$(awk -v k="${rsss[$label]}" 'BEGIN { printf "%.1f MiB", k / 1024 }')
	ratio=n/a
	[[ -n $base_median ]] && ratio=$(awk -v m="$med" -v b="$base_median" 'BEGIN { printf "%.2f", m / b }')
	printf '%-16s %8.3fs %8.3fs %8.3fs %11.0f %9s %10s\n' "$label" "$med" \
		"$(head -n 1 <<<"$sorted")" "$(tail -n 1 <<<"$sorted")" \
		"$(awk -v b="$bytes" -v m="$med" 'BEGIN { print b / m / 1e6 }')" "$rss_text" "$ratio"
done

# The targets of SPEC section 4 that this run measures.
echo
[[ -s ${outs[0]} && ${outs[0]} != /dev/null ]] && printf '%s printed: %s\n' "$base" "$(head -c 100 "${outs[0]}")"
if [[ -n ${failed[mailcop-parse]:-} || -z $base_median ]]; then
	echo "mailcop-parse / grep: n/a (target <= 0.80); peak RSS target < 64 MiB"
else
	ratio=$(awk -v m="$(median <<<"${times[mailcop-parse]}")" -v b="$base_median" 'BEGIN { printf "%.2f", m / b }')
	verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 0.8 ? "ok" : "MISSED") }')
	printf 'mailcop-parse / grep: %s (target <= 0.80: %s)' "$ratio" "$verdict"
	peak=${rsss[mailcop-parse]:-}
	if [[ -n $peak ]]; then
		verdict=ok
		((peak < 65536)) || verdict=MISSED
		printf '; peak RSS %.1f MiB (target < 64 MiB: %s)' "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')" "$verdict"
	fi
	echo
fi

# mailcop-geo: records/s against jq's on the same records (target >= 5x),
# peak RSS under 64 MiB beside the database.
if [[ -s ${geo_in:-} ]]; then
	geo_lines=$(wc -l <"$geo_in")
	for label in "mailcop-geo" "jq .country=XX" "mailcop-geo (found)"; do
		[[ -n ${times[$label]:-} ]] || continue
		printf '%s: %.0f records/s' "$label" "$(awk -v n="$geo_lines" -v m="$(median <<<"${times[$label]}")" 'BEGIN { print n / m }')"
		[[ -n ${rsss[$label]:-} ]] && printf ', peak RSS %.1f MiB' "$(awk -v k="${rsss[$label]}" 'BEGIN { print k / 1024 }')"
		echo
	done
	if [[ -n ${times[mailcop-geo]:-} && -n ${times[jq .country=XX]:-} ]]; then
		ratio=$(awk -v g="$(median <<<"${times[mailcop-geo]}")" -v j="$(median <<<"${times[jq .country=XX]}")" 'BEGIN { printf "%.1f", j / g }')
		verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 5 ? "ok" : "MISSED") }')
		printf 'mailcop-geo / jq records/s: %sx (target >= 5x: %s)' "$ratio" "$verdict"
		peak=${rsss[mailcop-geo]:-}
		if [[ -n $peak ]]; then
			verdict=ok
			((peak < 65536)) || verdict=MISSED
			printf '; peak RSS %.1f MiB (target < 64 MiB: %s)' "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')" "$verdict"
		fi
		echo
	else
		echo "mailcop-geo / jq records/s: n/a (target >= 5x)"
	fi
fi

# mailcop-count: records/s against jq -c . on the same records (target >= 5x).
if [[ -n ${times[mailcop-count]:-} && -n ${times[jq -c .]:-} ]]; then
	ratio=$(awk -v c="$(median <<<"${times[mailcop-count]}")" -v j="$(median <<<"${times[jq -c .]}")" 'BEGIN { printf "%.1f", j / c }')
	verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 5 ? "ok" : "MISSED") }')
	printf 'mailcop-count / jq -c . records/s: %sx (target >= 5x: %s); %.0f records/s\n' "$ratio" "$verdict" \
		"$(awk -v n="$(wc -l <"$geo_in")" -v m="$(median <<<"${times[mailcop-count]}")" 'BEGIN { print n / m }')"
fi

# The pipeline against the old scripts' on the same gzip'd history.
if [[ -n ${times[pipeline]:-} && -n ${times[old scripts]:-} ]]; then
	ratio=$(awk -v p="$(median <<<"${times[pipeline]}")" -v o="$(median <<<"${times[old scripts]}")" 'BEGIN { printf "%.2f", p / o }')
	verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1 ? "ok" : "MISSED") }')
	printf 'tail -a | parse | geo | count / old scripts: %s (target <= 1.00: %s)\n' "$ratio" "$verdict"
fi

# mailcop-tail -a over gzip'd history: wall time against gzip -dc's on the
# same files (target <= 1.5x); and -f, the time from a line's write() to
# its record, from go test's BenchmarkFollowLatency (target p95 < 100 ms).
if [[ -n ${times[mailcop-tail -a]:-} && -n ${times[gzip -dc]:-} ]]; then
	ratio=$(awk -v t="$(median <<<"${times[mailcop-tail -a]}")" -v g="$(median <<<"${times[gzip -dc]}")" 'BEGIN { printf "%.2f", t / g }')
	verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.5 ? "ok" : "MISSED") }')
	printf 'mailcop-tail -a / gzip -dc: %s (target <= 1.50: %s)\n' "$ratio" "$verdict"
else
	echo "mailcop-tail -a / gzip -dc: n/a (target <= 1.50)"
fi
if latency=$(go test -run '^$' -bench 'FollowLatency' -benchtime 200x ./internal/tailer 2>&1); then
	awk '/^BenchmarkFollowLatency\// {
		for (i = 3; i < NF; i += 2) v[$(i + 1)] = $i
		name = $1; sub(/^BenchmarkFollowLatency\//, "", name); sub(/-[0-9]+$/, "", name)
		printf "mailcop-tail -f latency (%s): p50 %.1f ms, p95 %.1f ms, max %.1f ms (target p95 < 100 ms: %s)\n",
			name, v["p50-ms"], v["p95-ms"], v["max-ms"], (v["p95-ms"] < 100 ? "ok" : "MISSED")
	}' <<<"$latency"
else
	echo "mailcop-tail -f latency: n/a ($(tail -n 1 <<<"$latency"))"
fi
# The live pipeline, tail -f | parse | geo as processes joined by pipes:
# from a line's write() to its record out of geo (target p95 < 250 ms).
if latency=$(go test -run '^$' -bench 'LivePipeline' -benchtime 200x . 2>&1); then
	awk '/^BenchmarkLivePipeline/ {
		for (i = 3; i < NF; i += 2) v[$(i + 1)] = $i
		printf "tail -f | parse | geo latency: p50 %.1f ms, p95 %.1f ms, max %.1f ms (target p95 < 250 ms: %s)\n",
			v["p50-ms"], v["p95-ms"], v["max-ms"], (v["p95-ms"] < 250 ? "ok" : "MISSED")
	}' <<<"$latency"
else
	echo "tail -f | parse | geo latency: n/a ($(tail -n 1 <<<"$latency"))"
fi
