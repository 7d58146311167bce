# tests/sweep/lib.sh - sourced by tests/sweep/cell and tests/sweep/walk.
# Reads a settings file and runs the programs the way sweeps and walks share.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$top/bin:$PATH
export LC_ALL=C

die() { echo "$prog: $*" >&2; exit 1; }

# write_if_changed FILE: standard input replaces FILE only when different,
# so that make sees a new time only on a real change
write_if_changed() {
	cat >"$1.new" || return 1
	if cmp -s "$1.new" "$1"; then rm -f "$1.new"; else mv -f "$1.new" "$1"; fi
}

# load FILE: the key=value lines of a settings file into shell variables
labels= window= dim= layers= heads= lr= k= level= threshold= epochs= batch=
seed= wd= val= data= from= to= split= bt_opts= train= step= mode= folds=
enter= exit= min_hold= cooldown= fee= on_hold=
load() {
	while IFS= read -r l; do
		case $l in
		\#*|"") continue ;;
		esac
		v=${l#*=}
		case ${l%%=*} in
		labels) labels=$v ;;	window) window=$v ;;	dim) dim=$v ;;
		layers) layers=$v ;;	heads) heads=$v ;;	lr) lr=$v ;;
		k) k=$v ;;		level) level=$v ;;	threshold) threshold=$v ;;
		epochs) epochs=$v ;;	batch) batch=$v ;;	seed) seed=$v ;;
		wd) wd=$v ;;		val) val=$v ;;		data) data=$v ;;
		from) from=$v ;;	to) to=$v ;;		split) split=$v ;;
		bt_opts) bt_opts=$v ;;	train) train=$v ;;	step) step=$v ;;
		mode) mode=$v ;;	folds) folds=$v ;;
		enter) enter=$v ;;	exit) exit=$v ;;	min_hold) min_hold=$v ;;
		cooldown) cooldown=$v ;; fee) fee=$v ;;	on_hold) on_hold=$v ;;
		*) die "$1: unknown setting ${l%%=*}" ;;
		esac
	done <"$1" || die "$1: cannot read the settings"
	case $data in
	/*) ;;
	*)	# relative to where make runs (the source tree, or with
		# candlekit-sweep the user's directory)
		if [ -e "$PWD/$data" ]; then data=$PWD/$data; else data=$top/$data; fi ;;
	esac
}

# candles FROM TO [candle-feed options]: the data's candles in [FROM, TO)
candles() {
	f=$1 t=$2
	shift 2
	candle-feed ${f:+--from "$f"} ${t:+--to "$t"} "$@" "$data"
}

# train_model CKPT NEW CANDLES JSON EPOCHS: train-batch with the settings;
# NEW=new creates CKPT from the settings, else CKPT is trained further.
# One thread, so that equal settings give equal results everywhere.
train_model() {
	case $labels in
	pivots) rule="--labels pivots -k $k --level $level" ;;
	every) rule="--labels every -k $k --threshold $threshold" ;;
	*) die "labels must be pivots or every, not '$labels'" ;;
	esac
	if [ "$2" = new ]; then
		create="--new --force --window $window --dim $dim --layers $layers --heads $heads"
	else
		create=
	fi
	# shellcheck disable=SC2086
	train-batch -m "$1" $create $rule --epochs "$epochs" --batch "$batch" \
	    --lr "$lr" --weight-decay "$wd" --seed "$seed" --threads 1 \
	    --val "$val" --json "$4" "$3" >"$5" || die "$1: train-batch failed"
}

# predict CKPT NWARM IN OUT: infer over IN, dropping its first NWARM rows
# (the candles that only fill the first window)
predict() {
	infer -m "$1" "$3" 2>"$4.log" | sed "2,$(($2 + 1))d" >"$4.new"
	grep -q '^infer: rows=' "$4.log" || { cat "$4.log" >&2; die "$1: infer failed"; }
	rm -f "$4.log"
	mv -f "$4.new" "$4"
}

# run_backtest IN JSON SUMMARY TRADES: backtest with bt_opts, then the
# policy and fee keys (empty: the program's default)
run_backtest() {
	# shellcheck disable=SC2086
	backtest $bt_opts ${enter:+--enter "$enter"} ${exit:+--exit "$exit"} \
	    ${min_hold:+--min-hold "$min_hold"} \
	    ${cooldown:+--cooldown "$cooldown"} ${fee:+--fee "$fee"} \
	    ${on_hold:+--on-hold "$on_hold"} \
	    --json "$2.new" --summary "$3" "$1" >"$4.new" ||
	    die "$1: backtest failed"
	mv -f "$4.new" "$4"
	mv -f "$2.new" "$2"
}
