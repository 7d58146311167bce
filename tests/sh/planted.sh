#!/bin/sh
# tests/sh/planted.sh - files a neighbour plants beside a shared checkpoint
# (issue 19, findings 1, 2, 4, 5; tests/FAULTS.md): run as root in a
# scratch directory that a second, unprivileged uid (set with setpriv, no
# account needed) can write.  Nothing planted makes a trainer write into
# another file, wedge the lock, or hand a file more rights than the
# checkpoint has; a read-only checkpoint is not replaced; ACLs, extended
# attributes, mode and group survive every save and reach the lock file
# and the backups.  Skipped, with a message, when not root or without
# setpriv.
. "$(dirname "$0")/../lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1; then
	echo "SKIP planted.sh: needs root and setpriv (a second uid)"
	echo "# 0 passed, 0 failed"
	exit 0
fi
F=$top/tests/unit/faults
NB=64123	# the neighbour's uid and gid
GR=64124	# a group the neighbour is in
as_nb() { setpriv --reuid=$NB --regid=$NB --groups=$GR -- "$@"; }
chmod 755 "$T_TMP"
S=$T_TMP/shared
mkdir "$S"
chmod 777 "$S"
candle-feed --last 300 "$DATA" >"$T_TMP/c.csv"
chmod 644 "$T_TMP/c.csv"
C=$T_TMP/c.csv
victim() {	# a file only root may write, with known bytes
	printf 'root:secret:1\n' >"$T_TMP/victim"
	chmod 600 "$T_TMP/victim"
}
intact() { [ "$(cat "$T_TMP/victim")" = "root:secret:1" ]; }
gen() { "$F" gen "$1" 2>/dev/null; }
label() { train-candle -m "$1" --label BUY --lock-timeout 5 "$C" >/dev/null; }

# 1. NAME.lock planted as a symlink to a victim: root's trainer neither
# truncates nor writes the victim, and still trains
victim
"$F" create "$S/m.ckpt"
as_nb ln -s "$T_TMP/victim" "$S/m.ckpt.lock"
expect lock-symlink-trains 0 "train-candle -m $S/m.ckpt --label BUY --lock-timeout 5 $C >/dev/null"
check lock-symlink-victim-intact intact
check lock-symlink-still-a-link test -L "$S/m.ckpt.lock"
check lock-symlink-gen [ "$(gen "$S/m.ckpt")" = 8 ]
rm -f "$S/m.ckpt" "$S/m.ckpt.lock"

# 1. a planted regular NAME.lock holding pids (init's, a live process's)
# wedges nobody: its content means nothing
"$F" create "$S/m.ckpt"
sleep 60 &
live=$!
as_nb sh -c "printf '1\n$live\n' >$S/m.ckpt.lock"
expect lock-planted-pids-train 0 "train-candle -m $S/m.ckpt --label BUY --lock-timeout 2 $C >/dev/null"
expect lock-planted-pids-train-again 0 "train-candle -m $S/m.ckpt --label SELL --lock-timeout 2 $C >/dev/null"
kill $live
wait $live 2>/dev/null
# a FIFO as NAME.lock: never opened for the queue, nobody hangs
rm -f "$S/m.ckpt.lock"
as_nb mkfifo "$S/m.ckpt.lock"
expect lock-fifo-trains 0 "timeout 20 train-candle -m $S/m.ckpt --label BUY --lock-timeout 2 $C >/dev/null"
rm -f "$S/m.ckpt" "$S/m.ckpt.lock"

# 2. train-batch --backup: the backup's name planted as a symlink to the
# victim, and the old temporary names for the next 3,000 pids: the victim
# is intact, the link replaced by a regular copy with the checkpoint's
# mode (0600), nothing temporary left behind
victim
"$F" create "$S/b.ckpt"
chmod 600 "$S/b.ckpt"
as_nb ln -s "$T_TMP/victim" "$S/b.ckpt.7.bak"
as_nb /usr/bin/python3 -c 'import os, sys
p = int(open("/proc/sys/kernel/ns_last_pid").read())
for i in range(1, 3001):
    os.symlink(sys.argv[1], "%s.tmp%d" % (sys.argv[2], p + i))' "$T_TMP/victim" "$S/b.ckpt.7.bak"
cp "$S/b.ckpt" "$T_TMP/b.keep"
expect backup-trains 0 "train-batch -m $S/b.ckpt --labels every --epochs 1 --backup $C >/dev/null"
check backup-victim-intact intact
check backup-is-a-file [ -f "$S/b.ckpt.7.bak" ] && [ ! -L "$S/b.ckpt.7.bak" ]
check backup-is-the-checkpoint cmp -s "$S/b.ckpt.7.bak" "$T_TMP/b.keep"
check backup-mode [ "$(stat -c %a "$S/b.ckpt.7.bak")" = 600 ]
check backup-no-tmp [ "$(ls -A "$S" | grep -c '^\.b\.ckpt\.tmp')" = 0 ]
# killed half way through the copy: no temporary file at all
"$F" create "$S/k.ckpt"
CANDLEKIT_FAULT=backup-copy train-batch -m "$S/k.ckpt" --labels every \
    --epochs 1 --backup "$C" >/dev/null 2>&1
check backup-killed [ $? = 137 ]
check backup-killed-no-tmp [ "$(ls -A "$S" | grep -c '^\.k\.ckpt.*tmp\|k\.ckpt.*bak')" = 0 ]
check backup-killed-ckpt-loads "$F" load "$S/k.ckpt"
rm -f "$S"/b.ckpt* "$S"/k.ckpt*

# 4. the checkpoint's symlink pointed at a foreign file: refused (65)
# before anything is made beside the target, whether at the start or
# between a trainer's load and its update (the update alone: faults update)
victim
as_nb ln -s "$T_TMP/victim" "$S/l.ckpt"
expect foreign-target-refused 65 "train-candle -m $S/l.ckpt --label BUY --lock-timeout 2 $C >/dev/null"
errhas foreign-target-says "not a model checkpoint"
expect foreign-target-update-refused 65 "$F update $S/l.ckpt 2"
errhas foreign-target-update-says "not a model checkpoint"
check foreign-target-no-lock [ ! -e "$T_TMP/victim.lock" ]
check foreign-target-intact intact
rm -f "$S/l.ckpt"
# a root-owned 0444 checkpoint in the writable directory: the neighbour
# cannot replace it, and neither does root (no write bit: read-only)
"$F" create "$S/ro.ckpt"
chmod 444 "$S/ro.ckpt"
cp "$S/ro.ckpt" "$T_TMP/ro.keep"
expect readonly-ckpt-neighbour 1 "setpriv --reuid=$NB --regid=$NB --clear-groups -- train-candle -m $S/ro.ckpt --label BUY --lock-timeout 2 $C >/dev/null"
errhas readonly-ckpt-neighbour-says "a writer must be able to write the checkpoint"
expect readonly-ckpt-root 1 "train-candle -m $S/ro.ckpt --label BUY --lock-timeout 2 $C >/dev/null"
errhas readonly-ckpt-root-says "read-only"
check readonly-ckpt-owner [ "$(stat -c %u:%a "$S/ro.ckpt")" = 0:444 ]
check readonly-ckpt-intact cmp -s "$S/ro.ckpt" "$T_TMP/ro.keep"
check readonly-ckpt-no-lock [ ! -e "$S/ro.ckpt.lock" ]
rm -f "$S"/ro.ckpt*

# 5. a 0660 group checkpoint: root trains first, then a group member: the
# lock file has the checkpoint's owner, group and mode
"$F" create "$S/g.ckpt"
chgrp $GR "$S/g.ckpt"
chmod 660 "$S/g.ckpt"
expect group-root-first 0 "train-candle -m $S/g.ckpt --label BUY --lock-timeout 2 $C >/dev/null"
check group-lock-attrs [ "$(stat -c %u:%g:%a "$S/g.ckpt.lock")" = 0:$GR:660 ]
expect group-member-next 0 "setpriv --reuid=$NB --regid=$NB --groups=$GR -- train-candle -m $S/g.ckpt --label SELL --lock-timeout 2 $C >/dev/null"
check group-ckpt-attrs [ "$(stat -c %g:%a "$S/g.ckpt")" = $GR:660 ]
check group-gen [ "$(gen "$S/g.ckpt")" = 9 ]
rm -f "$S"/g.ckpt*

# 5. an ACL that lets the neighbour write, and a user attribute: kept by
# every save, given to the lock file and the backup
"$F" create "$S/a.ckpt"
chmod 640 "$S/a.ckpt"
if /usr/bin/python3 - "$S/a.ckpt" $NB <<'EOF'
import os, struct, sys
# POSIX ACL xattr: version 2; (tag, perm, id): user::rw- user:NB:rw-
# group::r-- mask::rw- other::---
e = [(0x01, 6, 0xffffffff), (0x02, 6, int(sys.argv[2])),
     (0x04, 4, 0xffffffff), (0x10, 6, 0xffffffff), (0x20, 0, 0xffffffff)]
acl = struct.pack('<I', 2) + b''.join(struct.pack('<HHI', *x) for x in e)
os.setxattr(sys.argv[1], 'system.posix_acl_access', acl)
os.setxattr(sys.argv[1], 'user.owner-note', b'shared model')
EOF
then
	xattrs() {	# name=hex for the two attributes of $1
		/usr/bin/python3 -c 'import os, sys
for n in ("system.posix_acl_access", "user.owner-note"):
    try: print(n, os.getxattr(sys.argv[1], n).hex())
    except OSError as e: print(n, "none")' "$1"
	}
	xattrs "$S/a.ckpt" >"$T_TMP/acl.want"
	expect acl-root-saves 0 "train-candle -m $S/a.ckpt --label BUY --lock-timeout 2 $C >/dev/null"
	xattrs "$S/a.ckpt" >"$T_TMP/acl.got"
	check acl-kept-by-save cmp -s "$T_TMP/acl.want" "$T_TMP/acl.got"
	xattrs "$S/a.ckpt.lock" >"$T_TMP/acl.lock"
	check acl-on-lock cmp -s "$T_TMP/acl.want" "$T_TMP/acl.lock"
	expect acl-neighbour-trains 0 "setpriv --reuid=$NB --regid=$NB --clear-groups -- train-candle -m $S/a.ckpt --label SELL --lock-timeout 2 $C >/dev/null"
	xattrs "$S/a.ckpt" >"$T_TMP/acl.got"
	check acl-kept-by-neighbour cmp -s "$T_TMP/acl.want" "$T_TMP/acl.got"
	expect acl-backup 0 "train-batch -m $S/a.ckpt --labels every --epochs 1 --backup $C >/dev/null"
	xattrs "$S/a.ckpt.9.bak" >"$T_TMP/acl.bak"
	check acl-on-backup cmp -s "$T_TMP/acl.want" "$T_TMP/acl.bak"
	check acl-backup-mode [ "$(stat -c %a "$S/a.ckpt.9.bak")" = 660 ]
else
	echo "SKIP acl cases: this file system keeps no ACL or user attribute"
fi

t_done
