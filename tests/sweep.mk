# tests/sweep.mk - experiments driven by make; included by the Makefile.
#   make sweep [DATA=file] [GRID=file] [METRIC=name] [SWEEP_DIR=dir] ...
#   make sweep-parallel [HOSTS=host1,host2]
#   make walkforward [DATA=file] [WF_TRAIN=n] [WF_STEP=n] ...
#   make sweep-clean
# A sweep cell trains a model with train-batch on the candles before the
# split, predicts the rest with infer and backtests the predictions with
# backtest --json; the table ranks the cells by METRIC.  Each cell's files
# live in $(SWEEP_DIR)/NAME/, its checkpoint its own.  See candlekit(7).

# The data: any file candle-feed reads; the range [SWEEP_FROM, SWEEP_TO)
# (empty: all) is split at SWEEP_SPLIT (empty: at 80% of its candles).
DATA = tests/data/hqchart_600000sh_1m.csv.gz
GRID = $(SWEEP_LIB)/default.grid
METRIC = sharpe
SWEEP_DIR = sweep
SWEEP_FROM =
SWEEP_TO =
SWEEP_SPLIT =
# The settings of a cell whose grid line does not give them.
SWEEP_LABELS = pivots
SWEEP_WINDOW = 32
SWEEP_DIM = 32
SWEEP_LAYERS = 2
SWEEP_HEADS = 4
SWEEP_LR = 0.001
SWEEP_K = 2
SWEEP_LEVEL = 1
SWEEP_THRESHOLD = 0.0005
SWEEP_EPOCHS = 5
SWEEP_BATCH = 64
SWEEP_SEED = 1
SWEEP_WD = 0.01
SWEEP_VAL = 0.2
# backtest settings of every cell and walk (a grid line may give enter,
# exit, min_hold, cooldown, fee and on_hold per cell); empty: backtest's
# default.  Annualisation comes from the data (backtest(1)), so any DATA
# gets its own periods per year; BT_OPTS adds other backtest options.
BT_ENTER =
BT_EXIT =
BT_MIN_HOLD =
BT_COOLDOWN =
BT_FEE = 0.0005
BT_ON_HOLD =
BT_OPTS =
# sweep-parallel: GNU parallel's --sshlogin list (":" is this machine); the
# hosts must see this directory at the same path (a shared file system)
HOSTS = :
PARALLEL = parallel
PARALLEL_FLAGS =
# walkforward: train on WF_TRAIN candles, predict the next WF_STEP, roll on
# (WF_FOLDS folds at most, 0: until the data ends); WF_MODE warm retrains
# the previous fold's model, fresh starts each fold anew
WF_DIR = walkforward
WF_FROM = $(SWEEP_FROM)
WF_TO = $(SWEEP_TO)
WF_TRAIN = 4800
WF_STEP = 1200
WF_FOLDS = 0
WF_MODE = warm
WF_EPOCHS = 3
WF_VAL = 0

# Where the scripts and the programs are: the source tree by default;
# candlekit-sweep (make install) points SWEEP_LIB at the installed scripts
# and empties SWEEP_BIN (the programs are then those on PATH).
SWEEP_LIB = tests/sweep
SWEEP_BIN = bin/candle-feed bin/train-batch bin/infer bin/backtest
SWEEP_SH = $(SWEEP_LIB)/lib.sh $(SWEEP_LIB)/cell

# The cells are known, and their settings files written (only when their
# text changes), when make reads this file for a sweep goal.
ifneq ($(filter sweep sweep-parallel $(SWEEP_DIR)/%,$(MAKECMDGOALS)),)
SWEEP_CELLS := $(shell sh $(SWEEP_LIB)/cells '$(GRID)' '$(SWEEP_DIR)' \
	'metric=$(METRIC)' 'labels=$(SWEEP_LABELS)' 'window=$(SWEEP_WINDOW)' \
	'dim=$(SWEEP_DIM)' 'layers=$(SWEEP_LAYERS)' 'heads=$(SWEEP_HEADS)' \
	'lr=$(SWEEP_LR)' 'k=$(SWEEP_K)' 'level=$(SWEEP_LEVEL)' \
	'threshold=$(SWEEP_THRESHOLD)' 'epochs=$(SWEEP_EPOCHS)' \
	'batch=$(SWEEP_BATCH)' 'seed=$(SWEEP_SEED)' 'wd=$(SWEEP_WD)' \
	'val=$(SWEEP_VAL)' 'data=$(DATA)' 'from=$(SWEEP_FROM)' \
	'to=$(SWEEP_TO)' 'split=$(SWEEP_SPLIT)' 'bt_opts=$(BT_OPTS)' \
	'enter=$(BT_ENTER)' 'exit=$(BT_EXIT)' 'min_hold=$(BT_MIN_HOLD)' \
	'cooldown=$(BT_COOLDOWN)' 'fee=$(BT_FEE)' 'on_hold=$(BT_ON_HOLD)' || \
	echo SWEEP-FAILED)
ifneq ($(filter SWEEP-FAILED,$(SWEEP_CELLS)),)
$(error sweep: cannot read the grid $(GRID))
endif
endif
SWEEP_CKPT = $(SWEEP_CELLS:%=$(SWEEP_DIR)/%/model.ckpt)
SWEEP_PRED = $(SWEEP_CELLS:%=$(SWEEP_DIR)/%/pred.csv)
SWEEP_JSON = $(SWEEP_CELLS:%=$(SWEEP_DIR)/%/backtest.json)

sweep: $(SWEEP_DIR)/results.md

$(SWEEP_DIR)/%/model.ckpt: $(SWEEP_DIR)/%/settings $(DATA) $(filter %/candle-feed %/train-batch,$(SWEEP_BIN)) $(SWEEP_SH)
	sh $(SWEEP_LIB)/cell train $(@D)

$(SWEEP_DIR)/%/pred.csv: $(SWEEP_DIR)/%/model.ckpt $(filter %/infer,$(SWEEP_BIN))
	sh $(SWEEP_LIB)/cell predict $(@D)

$(SWEEP_DIR)/%/backtest.json: $(SWEEP_DIR)/%/pred.csv $(SWEEP_DIR)/%/backtest.settings $(filter %/backtest,$(SWEEP_BIN))
	sh $(SWEEP_LIB)/cell backtest $(@D)

$(SWEEP_DIR)/results.csv: $(SWEEP_JSON) $(SWEEP_DIR)/cells $(SWEEP_DIR)/metric $(SWEEP_LIB)/table
	sh $(SWEEP_LIB)/table csv $(SWEEP_DIR) '$(METRIC)' > $@.new
	mv -f $@.new $@

$(SWEEP_DIR)/results.md: $(SWEEP_DIR)/results.csv
	sh $(SWEEP_LIB)/table md $(SWEEP_DIR)/results.csv > $@.new
	mv -f $@.new $@
	cat $@

# The same cells, each still to do run by one GNU parallel job (train,
# predict, backtest) on HOSTS, then the same table.
sweep-parallel: $(SWEEP_BIN) $(SWEEP_SH) $(SWEEP_LIB)/table
	for c in $(SWEEP_CELLS); do \
		$(MAKE) -s -q $(SWEEP_DIR)/$$c/backtest.json || echo $$c; \
	done | $(PARALLEL) --will-cite --halt now,fail=1 --sshlogin '$(HOSTS)' \
		--workdir '$(CURDIR)' $(PARALLEL_FLAGS) \
		sh $(SWEEP_LIB)/cell all '$(SWEEP_DIR)/{}'
	sh $(SWEEP_LIB)/table csv $(SWEEP_DIR) '$(METRIC)' > $(SWEEP_DIR)/results.csv.new
	mv -f $(SWEEP_DIR)/results.csv.new $(SWEEP_DIR)/results.csv
	sh $(SWEEP_LIB)/table md $(SWEEP_DIR)/results.csv > $(SWEEP_DIR)/results.md.new
	mv -f $(SWEEP_DIR)/results.md.new $(SWEEP_DIR)/results.md
	cat $(SWEEP_DIR)/results.md

ifneq ($(filter walkforward $(WF_DIR)/%,$(MAKECMDGOALS)),)
WF_OK := $(shell sh $(SWEEP_LIB)/walk settings '$(WF_DIR)' 'data=$(DATA)' \
	'from=$(WF_FROM)' 'to=$(WF_TO)' 'train=$(WF_TRAIN)' 'step=$(WF_STEP)' \
	'folds=$(WF_FOLDS)' 'mode=$(WF_MODE)' 'labels=$(SWEEP_LABELS)' \
	'window=$(SWEEP_WINDOW)' 'dim=$(SWEEP_DIM)' 'layers=$(SWEEP_LAYERS)' \
	'heads=$(SWEEP_HEADS)' 'lr=$(SWEEP_LR)' 'k=$(SWEEP_K)' \
	'level=$(SWEEP_LEVEL)' 'threshold=$(SWEEP_THRESHOLD)' \
	'epochs=$(WF_EPOCHS)' 'batch=$(SWEEP_BATCH)' 'seed=$(SWEEP_SEED)' \
	'wd=$(SWEEP_WD)' 'val=$(WF_VAL)' 'bt_opts=$(BT_OPTS)' \
	'enter=$(BT_ENTER)' 'exit=$(BT_EXIT)' 'min_hold=$(BT_MIN_HOLD)' \
	'cooldown=$(BT_COOLDOWN)' 'fee=$(BT_FEE)' 'on_hold=$(BT_ON_HOLD)' \
	&& echo ok)
ifneq ($(WF_OK),ok)
$(error walkforward: cannot write $(WF_DIR)/settings)
endif
endif

walkforward: $(WF_DIR)/compare.md

$(WF_DIR)/compare.md: $(WF_DIR)/settings $(DATA) $(SWEEP_BIN) $(SWEEP_SH) $(SWEEP_LIB)/walk $(SWEEP_LIB)/table
	sh $(SWEEP_LIB)/walk run $(WF_DIR)
	cat $(WF_DIR)/folds.csv $(WF_DIR)/compare.md

sweep-clean:
	rm -rf $(SWEEP_DIR) $(WF_DIR)

.SECONDARY: $(SWEEP_CKPT) $(SWEEP_PRED)
.PHONY: sweep sweep-parallel walkforward sweep-clean
