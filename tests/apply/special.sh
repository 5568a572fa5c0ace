# SPDX-License-Identifier: GPL-2.0
# special.sh: the live apply tests beyond one case at a time (sourced by run-guest, whose helpers it uses).

# have CASE: the case was prepared (and selected).
have() { [ -n "${STATE[$1]:-}" ]; }

# target_alive NAME: the served process still answers.
target_alive() {
	p_cmd "$1" count && [[ $AT == "@count "* ]]
}

# ---- both: two objects, one transaction -------------------------------------
test_both_txn() {
	local pid c=both orc=$work/oracle/both roots=$work/pm/both/patchroot lib
	have both || return
	p_start t "$work/pm/$c" --serve || { check "both: the target starts"; return; }
	pid=${P_PID[t]}
	lk_expect 0 apply apply -p "$pid" "$roots" &&
		{ grep -qxE "$pid prog: 2 objects, 2 functions, paused [0-9.]+ ms" "$tmp/lk.out" ||
		  fail "apply printed: $(cat "$tmp/lk.out")"; }
	round t run "$orc/p.1" "after apply"
	check "both: one apply patches the executable and its library: '2 objects, 2 functions', both changes show"

	# Undo one object's patch by naming its file: the other stays.
	lib=$roots/$(build_id "$work/pm/$c/libshape.so").lkpp
	lk_expect 0 "undo the library's patch" undo -p "$pid" "$lib"
	round t run "$work/partial/o.1" "after undoing the library's patch"
	lk_expect 0 list --json list -p "$pid"
	[ "$(live_count)" = 1 ] && [ "$(jq -r '.patches[0].build_id' "$tmp/lk.out")" = "$(build_id "$work/pm/$c/prog")" ] ||
		fail "list: $(cat "$tmp/lk.out")"
	lk_expect 0 "undo by build-id" undo -p "$pid" "$(build_id "$work/pm/$c/prog")"
	round t run "$orc/o.1" "after undoing the executable's patch by build-id"
	lk_expect 0 list --json list -p "$pid" && [ "$(all_count)" = 0 ] || fail "list: $(cat "$tmp/lk.out")"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "both: undo of the library's patch file leaves the executable patched (the round is that of a build with only its fix); undo by the executable's build-id restores the original"
}

# ---- a patch level upgrade ---------------------------------------------------
test_upgrade() {
	local pid c=body orc=$work/oracle/body a=$work/pm/body/patchroot b=$work/upgrade/patchroot
	have body && [ -d "$b" ] || return
	p_start t "$work/pm/$c" --serve || { check "upgrade: the target starts"; return; }
	pid=${P_PID[t]}
	lk_expect 0 "apply A" apply -p "$pid" "$a"
	round t run "$orc/p.1" "after A"
	lk_expect 0 "apply A again" apply -p "$pid" "$a" &&
		{ grep -qx "$pid prog: already applied" "$tmp/lk.out" || fail "A again printed: $(cat "$tmp/lk.out")"; }
	lk_expect 0 "apply A again (json)" --json apply -p "$pid" "$a" &&
		{ [ "$(jq -r '.objects[0].action' "$tmp/lk.out")" = already ] || fail "A again: $(cat "$tmp/lk.out")"; }
	round t run "$orc/p.1" "after A twice"
	check "upgrade: applying the live patch again is a no-op: 'already applied', action already, output unchanged"

	lk_expect 0 "apply B" --json apply -p "$pid" "$b" &&
		{ [ "$(jq -r '.objects[0].action' "$tmp/lk.out")" = replaced ] || fail "B: $(cat "$tmp/lk.out")"; }
	round t run "$work/upgrade/o.1" "after B"
	lk_expect 0 list --json list -p "$pid"
	[ "$(all_count)" = 1 ] && [ "$(live_count)" = 1 ] &&
		[ "$(jq -r '.patches[0].functions | sort | join(" ")' "$tmp/lk.out")" = "offset scale" ] ||
		fail "list after B: $(cat "$tmp/lk.out")"
	check "upgrade: B (a second fix on top of A) replaces A: action replaced, the round is the twice-fixed build's, list shows one live patch with B's functions"

	lk_expect 0 undo undo -p "$pid" --all
	round t run "$orc/o.1" "after undo"
	lk_expect 0 list --json list -p "$pid" && [ "$(all_count)" = 0 ] || fail "list: $(cat "$tmp/lk.out")"
	# And back up again from the original: B straight away.
	lk_expect 0 "apply B on the original" apply -p "$pid" "$b"
	round t run "$work/upgrade/o.1" "after B on the original"
	lk_expect 0 "apply A over B" --json apply -p "$pid" "$a" &&
		{ [ "$(jq -r '.objects[0].action' "$tmp/lk.out")" = replaced ] || fail "A over B: $(cat "$tmp/lk.out")"; }
	round t run "$orc/p.1" "after A over B"
	lk_expect 0 undo undo -p "$pid"
	round t run "$orc/o.1" "after the last undo"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "upgrade: undo after the upgrade gives the original code, not A's; B then A (a downgrade) replaces too; undo again restores the original"
}

# ---- cumulative patch levels: a second patch that supersedes the first ---------
test_levels() {
	local pid c=levels orc=$work/oracle/levels a=$work/pm/levels/patchroot b=$work/levels/patchroot ida idb
	have levels && [ -d "$b" ] || return
	ida=$("$lkpctl" info --json "$a"/*.lkpp | jq -r .id)
	idb=$("$lkpctl" info --json "$b"/*.lkpp | jq -r .id)
	p_start t "$work/pm/$c" --serve || { check "levels: the target starts"; return; }
	pid=${P_PID[t]}
	lk_expect 0 "apply level 1" apply -p "$pid" "$a"
	round t run "$orc/p.1" "after level 1"
	lk_expect 0 list --json list -p "$pid" &&
		{ [ "$(jq -r '[.patches[].patch] | join(" ")' "$tmp/lk.out")" = "$ida" ] ||
		  fail "list after level 1: $(cat "$tmp/lk.out")"; }
	lk_expect 0 "apply level 2" --json apply -p "$pid" "$b" &&
		{ [ "$(jq -r '.objects[0].action' "$tmp/lk.out")" = replaced ] || fail "level 2: $(cat "$tmp/lk.out")"; }
	round t run "$work/levels/o.1" "after level 2"
	lk_expect 0 list --json list -p "$pid" &&
		{ [ "$(jq -r '[.patches[] | .patch + " " + .state] | join(",")' "$tmp/lk.out")" = "$idb live" ] &&
		  [ "$(jq -r '.patches[0].functions | sort | join(" ")' "$tmp/lk.out")" = "offset scale" ] ||
		  fail "list after level 2: $(cat "$tmp/lk.out")"; }
	check "levels: level 2 (superseding level 1, $ida) replaces it in one apply: action replaced, fix-2 rounds, list shows only level 2 ($idb) with its functions"
	# Level 1 over level 2 would bring back what level 2 fixed.
	lk_expect 0 list --json list -p "$pid" &&
		{ [ "$(jq -r '.patches[0].supersedes | join(" ")' "$tmp/lk.out")" = "$ida" ] ||
		  fail "list: level 2 names no superseded level 1: $(cat "$tmp/lk.out")"; }
	lk_expect 1 "apply level 1 over level 2" apply -p "$pid" "$a" &&
		{ [ "$(wc -l <"$tmp/lk.err")" = 1 ] && grep -q "$idb.*supersedes.*$ida" "$tmp/lk.err" ||
		  fail "apply level 1 over level 2: stderr is not one line naming both: $(cat "$tmp/lk.err")"; }
	round t run "$work/levels/o.1" "after level 1 was refused"
	lk_expect 0 list --json list -p "$pid" &&
		{ [ "$(jq -r '[.patches[] | .patch + " " + .state] | join(",")' "$tmp/lk.out")" = "$idb live" ] ||
		  fail "list after level 1 was refused: $(cat "$tmp/lk.out")"; }
	check "levels: level 1 over level 2 is refused (status 1, one line naming both ids), and level 2 stays the only patch, live; list --json names level 1 in supersedes"
	lk_expect 0 undo undo -p "$pid"
	round t run "$orc/o.1" "after undo"
	lk_expect 0 list --json list -p "$pid" && [ "$(all_count)" = 0 ] || fail "list: $(cat "$tmp/lk.out")"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "levels: undo of level 2 gives the original code, nothing listed"
}

# ---- call sites: direct calls retargeted at the new code ---------------------
# mem5 PID ADDR: the 5 bytes at ADDR (decimal) in PID's memory, as hex.
mem5() {
	dd if=/proc/"$1"/mem bs=5 count=1 skip="$2" iflag=skip_bytes status=none 2>/dev/null |
		od -An -tx1 | tr -d ' \n'
}
# rel_dest AT HEX: where the e8/e9 rel32 HEX (10 hex digits) at AT goes.
rel_dest() {
	local r=$((16#${2:8:2}${2:6:2}${2:4:2}${2:2:2}))
	[ $r -ge $((1 << 31)) ] && r=$((r - (1 << 32)))
	echo $(($1 + 5 + r))
}
# rel_bytes OP AT DEST: the instruction OP (e8, e9) rel32 at AT to DEST, as hex.
rel_bytes() {
	local r=$((($3 - $2 - 5) & 0xffffffff))
	printf '%s%02x%02x%02x%02x' "$1" $((r & 255)) $((r >> 8 & 255)) $((r >> 16 & 255)) $((r >> 24))
}

# in_anon_x PID ADDR: ADDR is in an anonymous r-x mapping of PID.
in_anon_x() {
	local r p ino path
	while read -r r p _ _ ino path; do
		[ "$p" = r-xp ] && [ "$ino" = 0 ] && [ -z "$path" ] || continue
		[ "$2" -ge $((16#${r%-*})) ] && [ "$2" -lt $((16#${r#*-})) ] && return 0
	done </proc/"$1"/maps
	return 1
}

# check_sites PID WHAT WANT: every call site of the patch ($tmp/cs.sites: KIND
# OFFSET OLD_OFFSET) holds, at the load base $base: WANT=orig its original
# instruction; WANT=new the same opcode, to where the jump at the old entry goes
# (the new code, in an anonymous r-x mapping lkp made).
check_sites() {
	local pid=$1 what=$2 want=$3 kind off old at got op dest entry
	while read -r kind off old; do
		at=$((base + off))
		op=e8
		[ "$kind" = jmp ] && op=e9
		got=$(mem5 "$pid" "$at")
		if [ "$want" = orig ]; then
			[ "$got" = "$(rel_bytes $op $at $((base + old)))" ] ||
				fail "$what: the $kind at $(printf 0x%x $at) is $got, not the original $(rel_bytes $op $at $((base + old)))"
			continue
		fi
		entry=$(mem5 "$pid" $((base + old)))
		dest=$(rel_dest "$at" "$got")
		if [ "${got:0:2}" != $op ] || [ "${entry:0:2}" != e9 ] ||
		   [ "$dest" != "$(rel_dest $((base + old)) "$entry")" ]; then
			fail "$what: the $kind at $(printf 0x%x $at) is $got (to $(printf 0x%x "$dest")), the entry jump $entry: not retargeted at the new code"
		elif ! in_anon_x "$pid" "$dest"; then
			fail "$what: the $kind at $(printf 0x%x $at) goes to $(printf 0x%x "$dest"), in no anonymous r-x mapping"
		fi
	done <"$tmp/cs.sites"
}

# callsite_case CASE DIR: apply, undo, apply again and replace (callsite only) in DIR/prog;
# scale() could go in place (test_inplace): here it keeps the jump, which the sites serve.
callsite_case() {
	local c=$1 dir=$2 pid orc=$work/oracle/$1 a=$work/pm/$1/patchroot b=$work/upgrade-$1/patchroot
	local base nsites LKP_TEST_NO_INPLACE=1
	export LKP_TEST_NO_INPLACE
	"$lkpctl" info --json "$a"/*.lkpp 2>/dev/null |
		jq -r '.functions as $f | .callsites[] | "\(.kind) \(.offset) \($f[.func].old_offset)"' \
		>"$tmp/cs.sites"
	nsites=$(grep -c . "$tmp/cs.sites")
	[ "$nsites" = 2 ] || fail "$c: the patch lists $nsites call sites, want 2"
	p_start t "$dir" --serve || { check "callsite: $c ($dir): the target starts"; return; }
	pid=${P_PID[t]}
	# A PIE: the load base is where prog's first mapping starts.
	base=$((16#$(awk '$6 ~ /\/prog$/ { split($1, r, "-"); print r[1]; exit }' /proc/"$pid"/maps)))
	check_sites "$pid" "before apply" orig
	lk_expect 0 apply apply -p "$pid" "$a"
	check_sites "$pid" "after apply" new
	round t run "$orc/p.1" "after apply"
	lk_expect 0 undo undo -p "$pid"
	check_sites "$pid" "after undo" orig
	round t run "$orc/o.1" "after undo"
	lk_expect 0 "apply again" apply -p "$pid" "$a"
	check_sites "$pid" "after applying again" new
	round t run "$orc/p.1" "after applying again"
	# list and undo from the record alone: another lkpctl, no patch file.
	lk_expect 0 list --json list -p "$pid" &&
		[ "$(jq -r '.patches[0].state' "$tmp/lk.out")" = live ] &&
		[ "$(jq -r '.patches[0].call_sites' "$tmp/lk.out")" = 2 ] || fail "list: $(cat "$tmp/lk.out")"
	if [ -d "$b" ]; then
		lk_expect 0 "apply B over A" --json apply -p "$pid" "$b" &&
			{ [ "$(jq -r '.objects[0].action' "$tmp/lk.out")" = replaced ] || fail "B: $(cat "$tmp/lk.out")"; }
		check_sites "$pid" "after B replaced A" new
		round t run "$work/upgrade-$c/o.1" "after B"
		lk_expect 0 "apply A over B" apply -p "$pid" "$a"
		check_sites "$pid" "after A replaced B" new
		round t run "$orc/p.1" "after A over B"
	fi
	lk_expect 0 "undo --all" undo -p "$pid" --all
	check_sites "$pid" "after the last undo" orig
	round t run "$orc/o.1" "after the last undo"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "callsite: $c ($dir): the direct call and the tail call of scale() hold the original bytes, after apply a call/jmp rel32 to the new code (where the entry jump goes, in lkp's r-x mapping), after undo the original bytes again; applied again, replaced by a second level and back (callsite), undone from the record; every round right"
}

# callsite_cases FN: FN CASE DIR for callsite and callstrip, each as built and stripped.
callsite_cases() {
	local c
	for c in callsite callstrip; do
		have $c || continue
		"$1" "$c" "$work/pm/$c"
		"$1" "$c" "$work/stripped/$c"
	done
}

test_callsite() { callsite_cases callsite_case; }

# ---- in place: the new code written over the old function --------------------
# memhex PID ADDR LEN: LEN bytes at ADDR (decimal) in PID's memory, as hex.
memhex() {
	dd if=/proc/"$1"/mem bs="$3" count=1 skip="$2" iflag=skip_bytes status=none 2>/dev/null |
		od -An -v -tx1 | tr -d ' \n'
}
# filehex ELF SYM: the bytes of function SYM in ELF, as hex (its address in .text
# turned into a file offset).
filehex() {
	local addr size taddr toff
	read -r addr size < <(nm -S "$1" | awk -v s="$2" '$4 == s { print $1, $2; exit }')
	read -r taddr toff < <(readelf -SW "$1" | awk '$2 == ".text" { print $4, $5; exit }')
	[ -n "$addr" ] && [ -n "$taddr" ] || return 1
	dd if="$1" bs=$((16#$size)) count=1 skip=$((16#$addr - 16#$taddr + 16#$toff)) \
		iflag=skip_bytes status=none | od -An -v -tx1 | tr -d ' \n'
}

# inplace_case CASE DIR: scale() (15 bytes, movable, as large as before) goes in place.
inplace_case() {
	local c=$1 dir=$2 pid orc=$work/oracle/$1 a=$work/pm/$1/patchroot b=$work/upgrade-$1/patchroot
	local base old osize orig new got
	read -r old osize < <("$lkpctl" info --json "$a"/*.lkpp 2>/dev/null |
		jq -r '.functions[] | select(.name == "scale") | "\(.old_offset) \(.old_size) \(.movable)"' |
		awk '$3 == "true" { print $1, $2 }')
	[ -n "$old" ] || { fail "$c: the patch does not list scale() as movable"; check "inplace: $c ($dir)"; return; }
	# callstrip is callsite linked with -s: the same code, but no symbols to find it by.
	new=$(filehex "$work/patched/callsite/prog" scale)
	[ -n "$new" ] && [ $((${#new} / 2)) -le "$osize" ] ||
		fail "$c: scale() of the fixed build is '$new', not at most $osize bytes"
	"$lkpctl" info --json "$a"/*.lkpp 2>/dev/null |
		jq -r '.functions as $f | .callsites[] | "\(.kind) \(.offset) \($f[.func].old_offset)"' \
		>"$tmp/cs.sites"
	p_start t "$dir" --serve || { check "inplace: $c ($dir): the target starts"; return; }
	pid=${P_PID[t]}
	base=$((16#$(awk '$6 ~ /\/prog$/ { split($1, r, "-"); print r[1]; exit }' /proc/"$pid"/maps)))
	orig=$(memhex "$pid" $((base + old)) "$osize")
	lk_expect 0 apply apply -p "$pid" "$a"
	got=$(memhex "$pid" $((base + old)) "$osize")
	# scale() calls nothing: linked anywhere its code is the fixed build's, then the original's tail.
	[ "$got" = "$new${orig:${#new}}" ] ||
		fail "after apply: scale() at $(printf 0x%x $((base + old))) holds $got, want $new${orig:${#new}} (the fixed build's scale, not a jump)"
	check_sites "$pid" "after apply (callers of a function in place keep their calls)" orig
	round t run "$orc/p.1" "after apply"
	lk_expect 0 list --json list -p "$pid" &&
		[ "$(jq -r '.patches[0].state' "$tmp/lk.out")" = live ] &&
		[ "$(jq -r '.patches[0].in_place' "$tmp/lk.out")" = 1 ] &&
		[ "$(jq -r '.patches[0].call_sites' "$tmp/lk.out")" = 0 ] || fail "list: $(cat "$tmp/lk.out")"
	lk_expect 0 undo undo -p "$pid"
	[ "$(memhex "$pid" $((base + old)) "$osize")" = "$orig" ] ||
		fail "after undo: scale() holds $(memhex "$pid" $((base + old)) "$osize"), not the original $orig"
	round t run "$orc/o.1" "after undo"
	lk_expect 0 "apply again" apply -p "$pid" "$a"
	[ "$(memhex "$pid" $((base + old)) "$osize")" = "$got" ] || fail "after applying again: not in place"
	round t run "$orc/p.1" "after applying again"
	if [ -d "$b" ]; then
		lk_expect 0 "apply B over A" --json apply -p "$pid" "$b" &&
			{ [ "$(jq -r '.objects[0].action' "$tmp/lk.out")" = replaced ] || fail "B: $(cat "$tmp/lk.out")"; }
		round t run "$work/upgrade-$c/o.1" "after B"
		lk_expect 0 list --json list -p "$pid" &&
			[ "$(jq -r '.patches | length' "$tmp/lk.out")" = 1 ] &&
			[ "$(jq -r '.patches[0].state' "$tmp/lk.out")" = live ] || fail "list after B: $(cat "$tmp/lk.out")"
		lk_expect 0 "apply A over B" apply -p "$pid" "$a"
		[ "$(memhex "$pid" $((base + old)) "$osize")" = "$got" ] ||
			fail "after A replaced B: scale() holds $(memhex "$pid" $((base + old)) "$osize"), want A's $got"
		round t run "$orc/p.1" "after A over B"
	fi
	lk_expect 0 "undo --all" undo -p "$pid" --all
	[ "$(memhex "$pid" $((base + old)) "$osize")" = "$orig" ] || fail "after the last undo: not the original bytes"
	check_sites "$pid" "after the last undo" orig
	round t run "$orc/o.1" "after the last undo"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "inplace: $c ($dir): scale()'s old bytes in /proc/PID/mem are the fixed build's scale (not a jump), its callers untouched; undo restores the exact original bytes; applied again, replaced by a second level and back (callsite), undone from the record; every round right"
}

test_inplace() { callsite_cases inplace_case; }

# ---- fork: patch a child only; a child forked after apply ---------------------
test_fork() {
	local pid cpid orc=$work/oracle/body roots=$work/pm/body/patchroot
	have body || return
	p_start t "$work/pm/body" --serve || { check "fork: the target starts"; return; }
	pid=${P_PID[t]}
	p_cmd t spawn; cpid=${AT#@child }
	[[ $cpid =~ ^[0-9]+$ ]] || fail "spawn: $AT"
	lk_expect 0 "apply to the child" apply -p "$cpid" "$roots"
	round t "child run" "$orc/p.1" "the child after apply"
	round t run "$orc/o.1" "the parent after the child's apply"
	lk_expect 0 "list the parent" --json list -p "$pid" && [ "$(all_count)" = 0 ] || fail "parent: $(cat "$tmp/lk.out")"
	lk_expect 0 "list the child" --json list -p "$cpid" && [ "$(live_count)" = 1 ] || fail "child: $(cat "$tmp/lk.out")"
	lk_expect 0 "undo in the child" undo -p "$cpid" --all
	round t "child run" "$orc/o.1" "the child after undo"
	p_end t
	[ "$ST" = 0 ] || fail "the target (and its child) exited with status $ST"
	check "fork: apply -p CHILD patches the child only: the child's round is patched, the parent's original, list agrees; undo in the child restores it"

	p_start t "$work/pm/body" --serve || { check "fork: the target starts"; return; }
	pid=${P_PID[t]}
	lk_expect 0 "apply to the parent" apply -p "$pid" "$roots"
	p_cmd t spawn; cpid=${AT#@child }
	[[ $cpid =~ ^[0-9]+$ ]] || fail "spawn: $AT"
	lk_expect 0 "list the child" --json list -p "$cpid"
	[ "$(live_count)" = 1 ] && [ "$(jq -r '.patches[0].build_id' "$tmp/lk.out")" = "$(build_id "$work/pm/body/prog")" ] ||
		fail "child's list: $(cat "$tmp/lk.out")"
	round t "child run" "$orc/p.1" "the child forked after apply"
	lk_expect 0 "undo in the child" undo -p "$cpid" --all
	round t "child run" "$orc/o.1" "the child after its undo"
	round t run "$orc/p.1" "the parent after the child's undo"
	lk_expect 0 "list the parent" --json list -p "$pid" && [ "$(live_count)" = 1 ] || fail "parent: $(cat "$tmp/lk.out")"
	lk_expect 0 "undo in the parent" undo -p "$pid" --all
	round t run "$orc/o.1" "the parent after its undo"
	p_end t
	[ "$ST" = 0 ] || fail "the target (and its child) exited with status $ST"
	check "fork: a child forked after apply lists the patch as live and runs it; its undo leaves the parent patched; the parent's undo works after it"
}

# ---- lkpctl killed at each stop point ----------------------------------------
test_stop() {
	local pid at orc=$work/oracle/both roots=$work/pm/both/patchroot want out maps listed
	have both || return
	for at in after-map after-write after-txn; do
		p_start t "$work/pm/both" --serve || { check "stop $at: the target starts"; continue; }
		pid=${P_PID[t]}
		maps=$(anon_maps "$pid")
		out=$("$lkpt" when-stopped kill -- env LKP_TEST_STOP_AT=$at "$lkpctl" apply -p "$pid" "$roots" 2>&1)
		[ "$out" = $'stopped\nkilled' ] || fail "lkpctl at $at: $out"
		# Before the transaction nothing is reachable; after it both objects are patched.
		if [ $at = after-txn ]; then want=$orc/p.1; else want=$orc/o.1; fi
		round t run "$want" "after lkpctl was killed $at"
		lk_expect 0 list --json list -p "$pid"
		listed=$(all_count)
		if [ $at = after-txn ]; then
			[ "$(live_count)" = 2 ] || fail "killed $at, list shows: $(cat "$tmp/lk.out")"
		else
			[ "$(live_count)" = 0 ] || fail "killed $at, list shows: $(cat "$tmp/lk.out")"
		fi
		echo "killed $at, list: $(jq -c '[.patches[] | {object, state}]' "$tmp/lk.out" 2>/dev/null)" | diag
		# What list does not show must not be left behind either.
		out=$(new_maps "$maps" "$pid")
		[ "$listed" != 0 ] || [ -z "$out" ] ||
			fail "killed $at: list shows nothing, but the process has new anonymous mappings:" "$out"
		lk undo -p "$pid" --all
		[ "$LK_ST" = 0 ] || { [ "$listed" = 0 ] && [ "$LK_ST" = 1 ] && grep -q 'no patch is applied' "$tmp/lk.err"; } ||
			fail "undo --all: $(lk_said undo)"
		round t run "$orc/o.1" "after undo"
		lk_expect 0 list --json list -p "$pid" && [ "$(all_count)" = 0 ] || fail "after undo: $(cat "$tmp/lk.out")"
		out=$(new_maps "$maps" "$pid")
		[ -z "$out" ] || fail "after undo, anonymous mappings left since before the apply:" "$out"
		lk_expect 0 "apply again" apply -p "$pid" "$roots"
		round t run "$orc/p.1" "after a new apply"
		lk_expect 0 "undo again" undo -p "$pid" --all
		round t run "$orc/o.1" "after the last undo"
		p_end t
		[ "$ST" = 0 ] || fail "the target exited with status $ST"
		check "stop $at: lkpctl apply SIGKILLed $at: the target runs $([ $at = after-txn ] && echo 'both patches, listed live' || echo 'the original, no live patch listed'); undo --all restores the original and leaves no record and no mapping; apply and undo work again"
	done
}

# ---- apply --all: several processes, some failing, several at a time -----------------
# all_masked: lkpctl's text output with the pause times (which vary) masked.
all_masked() { sed -E 's/paused [0-9.]+ ms/paused X ms/' "$1"; }

# The progress line of apply --all (called by test_all, its targets set up,
# $tmp/all1.* the lines of a run with stderr to a file). On a terminal
# (stderr a pseudo-terminal of tests/lib/ptyrun, stdout a file): the same
# lines, and on stderr a line drawn in place from "0/4 processes" that the
# terminal is left showing as "4/4 processes" below them. Off a terminal
# (the runs of test_all) and with --json on one: no byte of it, and stdout
# still one JSON object a line.
test_all_progress() {
	local pty=$top/build/tests/ptyrun st out
	[ -x "$pty" ] || { fail "$pty: not built"; check "all: apply --all's progress line"; return; }
	for out in "$tmp/all1.err" "$tmp/lk.err"; do
		! grep -q $'\r\\|processes, ' "$out" ||
			fail "stderr a file: progress bytes in it: $(tr '\r' '|' <"$out")"
	done
	timeout -s KILL 120 "$pty" "$tmp/pty.err" "$lkpctl" apply --all --workers 4 --attempts 2 \
		--retry-delay 5 "$roots" >"$tmp/pty.out"
	st=$?
	[ $st = 3 ] || fail "on a terminal: status $st, want 3"
	[ "$(all_masked "$tmp/pty.out")" = "$(cat "$tmp/all1.out")" ] ||
		fail "on a terminal: stdout differs:" "$(cat "$tmp/pty.out")" "instead of" "$(cat "$tmp/all1.out")"
	# what the terminal is left showing: each line's text after its last "\r"
	awk -F '\r' '{ print $NF }' "$tmp/pty.err" >"$tmp/pty.view"
	head -n -1 "$tmp/pty.view" | cmp -s - "$tmp/all1.err" &&
		tail -n 1 "$tmp/pty.view" | grep -Eqx 'lkpctl apply: 4/4 processes, [0-9]+\.[0-9] s' &&
		[ "$(head -c 30 "$tmp/pty.err")" = $'\rlkpctl apply: 0/4 processes, ' ] &&
		[ "$(tail -c 1 "$tmp/pty.err" | od -An -c | tr -d ' ')" = '\n' ] ||
		fail "on a terminal: stderr is not the lines of a file's, drawn over by the progress from 0/4 to 4/4:" \
			"$(tr '\r' '|' <"$tmp/pty.err")" "instead of" "$(cat "$tmp/all1.err")"
	undo_bcd
	timeout -s KILL 120 "$pty" "$tmp/pty.err" "$lkpctl" --json apply --all --workers 4 \
		--attempts 2 --retry-delay 5 "$roots" >"$tmp/pty.out"
	st=$?
	[ $st = 3 ] || fail "--json on a terminal: status $st, want 3"
	[ ! -s "$tmp/pty.err" ] || fail "--json on a terminal: stderr: $(tr '\r' '|' <"$tmp/pty.err")"
	out=$(jq -r 'if .error then (.error.object | split(" ")[0]) elif .pid then .pid else empty end' \
		"$tmp/pty.out" | tr '\n' ' ') && [ "$out" = "$sorted" ] ||
		fail "--json on a terminal: stdout is not one JSON result per process in pid order: $(cat "$tmp/pty.out")"
	undo_bcd
	check "all: apply --all on a terminal: the same lines, with a progress line on stderr from 0/4 to 4/4; none with --json (stdout JSON) or off a terminal"
}

test_all() {
	local orc=$work/oracle/busy roots=$work/pm/busy/patchroot name pid pids=() tid sorted out k
	local busy_pid dead_pid
	have busy || return
	for name in a b c d; do
		p_start "$name" "$work/pm/busy" --serve || { check "all: the targets start"; return; }
		pids+=("${P_PID[$name]}")
	done
	busy_pid=${P_PID[a]}
	dead_pid=${P_PID[d]}
	sorted=$(printf '%s\n' "${pids[@]}" | sort -n | tr '\n' ' ')
	# a's first round leaves a thread blocked in read() inside hold(): a stays busy.
	round a run "$orc/o.1" "a: round 1"
	tid=$(ls /proc/"$busy_pid"/task | grep -vx "$busy_pid")
	undo_bcd() {
		for name in b c d; do
			lk_expect 0 "undo in $name" undo -p "${P_PID[$name]}" --all
		done
	}
	# One process after the other, then four at a time: the same lines, in pid order.
	lk_expect 3 "apply --all --workers 1" apply --all --workers 1 --attempts 2 --retry-delay 5 "$roots"
	all_masked "$tmp/lk.out" >"$tmp/all1.out"
	cp "$tmp/lk.err" "$tmp/all1.err"
	out=$(awk '{ print $1 }' "$tmp/all1.out" | tr '\n' ' ')
	[ "$out" = "$(printf '%s\n' "${pids[@]:1}" | sort -n | tr '\n' ' ')" ] ||
		fail "--workers 1: stdout names '$out', want b, c, d in pid order: $(cat "$tmp/lk.out")"
	grep -q "^[0-9]* prog: 1 object, 2 functions, paused X ms$" "$tmp/all1.out" ||
		fail "--workers 1: stdout: $(cat "$tmp/lk.out")"
	grep -q "$busy_pid prog: .*thread $tid " "$tmp/all1.err" ||
		fail "--workers 1: stderr does not name $busy_pid's thread $tid: $(cat "$tmp/all1.err")"
	undo_bcd
	lk_expect 3 "apply --all --workers 4" apply --all --workers 4 --attempts 2 --retry-delay 5 "$roots"
	[ "$(all_masked "$tmp/lk.out")" = "$(cat "$tmp/all1.out")" ] ||
		fail "--workers 4: stdout differs from --workers 1:" "$(cat "$tmp/lk.out")" "instead of" "$(cat "$tmp/all1.out")"
	cmp -s "$tmp/lk.err" "$tmp/all1.err" ||
		fail "--workers 4: stderr differs from --workers 1:" "$(cat "$tmp/lk.err")" "instead of" "$(cat "$tmp/all1.err")"
	undo_bcd
	check "all: apply --all to 4 processes, one busy: exit 3, the same lines with 1 and with 4 workers, in pid order"
	test_all_progress


	# d is SIGKILLed between the scan and the applies: found, then gone.
	out=$("$lkpt" when-stopped cont --run "kill -KILL $dead_pid" -- sh -c \
		'LKP_TEST_STOP_AT=after-scan exec "$0" "$@" >"'"$tmp/lk.out"'" 2>"'"$tmp/lk.err"'"' \
		"$lkpctl" --json apply --all --workers 4 --attempts 2 --retry-delay 5 "$roots")
	[ "$out" = $'stopped\nexit 3' ] || fail "lkpctl stopped after the scan, d killed: $out; $(cat "$tmp/lk.err")"
	[ ! -s "$tmp/lk.err" ] || fail "--json: stderr: $(cat "$tmp/lk.err")"
	out=$(jq -r 'if .error then (.error.object | split(" ")[0]) elif .pid then .pid else empty end' \
		"$tmp/lk.out" 2>/dev/null | tr '\n' ' ')
	[ "$out" = "$sorted" ] || fail "--json: the results are for '$out', want $sorted: $(cat "$tmp/lk.out")"
	for name in a b c d; do
		pid=${P_PID[$name]}
		case $name in
		a) out=$(jq -r --arg p "$pid" 'select(.error and (.error.object | startswith($p + " "))) | .error.errno' "$tmp/lk.out")
		   [ "$out" = 16 ] || fail "a ($pid): want an error with errno EBUSY, got '$out'"
		   out=$(jq -r --arg p "$pid" 'select(.blocker.pid == ($p | tonumber)) | .blocker.tid' "$tmp/lk.out")
		   [ "$out" = "$tid" ] || fail "a ($pid): want a blocker line naming thread $tid, got '$out'" ;;
		b | c) out=$(jq -r --arg p "$pid" 'select(.pid == ($p | tonumber)) | [.objects[].action, .functions] | @tsv' "$tmp/lk.out")
		   [ "$out" = $'applied\t2' ] || fail "$name ($pid): want applied, 2 functions; got '$out'" ;;
		d) out=$(jq -r --arg p "$pid" 'select(.error and (.error.object | split(" ")[0]) == $p) | .error.errno' "$tmp/lk.out")
		   [ -n "$out" ] && [ "$out" != 0 ] || fail "d ($pid), killed after the scan: want an error, got '$out'" ;;
		esac
	done
	echo "$(cat "$tmp/lk.out")" | head -c 2000 | diag
	for name in a b c; do
		lk_expect 0 "list $name" --json list -p "${P_PID[$name]}"
		k=$(live_count)
		if [ $name = a ]; then [ "$k" = 0 ]; else [ "$k" = 1 ]; fi ||
			fail "$name: list shows: $(cat "$tmp/lk.out")"
	done
	for name in b c; do
		lk_expect 0 "undo in $name" undo -p "${P_PID[$name]}" --all
		lk_expect 0 "list $name after undo" --json list -p "${P_PID[$name]}" &&
			[ "$(all_count)" = 0 ] || fail "$name: after undo, list shows: $(cat "$tmp/lk.out")"
	done
	# Last started first: each target holds the FIFOs of those started before it.
	for name in d c b a; do
		p_end "$name"
		[ "$name" = d ] || [ "$ST" = 0 ] || fail "$name exited with status $ST"
	done
	check "all: --json apply --all, 4 workers, d SIGKILLed after the scan: one result per process in pid order (a busy, b and c applied, d an error), exit 3; list and undo agree"
}

# ---- a target stopped by SIGSTOP ------------------------------------------------
test_sigstop() {
	local pid orc=$work/oracle/body roots=$work/pm/body/patchroot
	have body || return
	p_start t "$work/pm/body" --serve || { check "sigstop: the target starts"; return; }
	pid=${P_PID[t]}
	kill -STOP "$pid"
	lk_expect 0 "apply to a stopped process" apply -p "$pid" "$roots"
	[ "$(awk '{ print $3 }' /proc/"$pid"/stat)" = T ] || fail "the target is no longer stopped after apply"
	kill -CONT "$pid"
	round t run "$orc/p.1" "after SIGCONT"
	kill -STOP "$pid"
	lk_expect 0 "undo in a stopped process" undo -p "$pid" --all
	[ "$(awk '{ print $3 }' /proc/"$pid"/stat)" = T ] || fail "the target is no longer stopped after undo"
	kill -CONT "$pid"
	round t run "$orc/o.1" "after undo and SIGCONT"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "sigstop: apply and undo on a process stopped by SIGSTOP exit 0 and leave it stopped; after SIGCONT it runs the patched, then the original code"
}

# ---- a traced target ------------------------------------------------------------
# tracer_start MODE: lkpt trace PID [stop] as served process "tr"; first line in LINE.
tracer_start() {
	local fd
	seq_no=$((seq_no + 1))
	mkfifo "$tmp/tin.$seq_no" "$tmp/tout.$seq_no"
	"$lkpt" trace "$1" $2 <"$tmp/tin.$seq_no" >"$tmp/tout.$seq_no" 2>&1 &
	P_PID[tr]=$!
	exec {fd}>"$tmp/tin.$seq_no"
	P_IN[tr]=$fd
	exec {fd}<"$tmp/tout.$seq_no"
	P_OUT[tr]=$fd
	rm -f "$tmp/tin.$seq_no" "$tmp/tout.$seq_no"
	LINE=
	IFS= read -r -t 60 -u "${P_OUT[tr]}" LINE
}

test_ptrace() {
	local pid orc=$work/oracle/body roots=$work/pm/body/patchroot
	have body || return
	p_start t "$work/pm/body" --serve || { check "ptrace: the target starts"; return; }
	pid=${P_PID[t]}
	tracer_start "$pid" ""
	[ "$LINE" = traced ] || fail "tracer: $LINE"
	grep -q "^TracerPid:[[:space:]]*${P_PID[tr]}\$" /proc/"$pid"/status || fail "not traced: $(grep TracerPid /proc/"$pid"/status)"
	lk_expect 0 "apply to a traced process" apply -p "$pid" "$roots"
	round t run "$orc/p.1" "traced, after apply"
	# A forked round sends the tracee SIGCHLD: the tracer sees it and passes it on.
	round t fork-run "$orc/p.1" "traced, a forked round after apply"
	lk_expect 0 "undo in a traced process" undo -p "$pid" --all
	round t run "$orc/o.1" "traced, after undo"
	p_end tr
	round t run "$orc/o.1" "after the tracer detached"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "ptrace: a process held by a tracer (PTRACE_SEIZE) is patched and unpatched: apply and undo exit 0, the rounds follow"

	p_start t "$work/pm/body" --serve || { check "ptrace: the target starts"; return; }
	pid=${P_PID[t]}
	tracer_start "$pid" stop
	[ "$LINE" = stopped ] || fail "tracer: $LINE"
	[ "$(awk '{ print $3 }' /proc/"$pid"/stat)" = t ] || fail "not in a ptrace stop: $(cat /proc/"$pid"/stat)"
	lk_expect 0 "apply to a process in a ptrace stop" apply -p "$pid" "$roots"
	echo cont >&"${P_IN[tr]}"
	IFS= read -r -t 60 -u "${P_OUT[tr]}" LINE
	[ "$LINE" = running ] || fail "tracer after cont: $LINE"
	round t run "$orc/p.1" "resumed after apply"
	lk_expect 0 "undo" undo -p "$pid" --all
	round t run "$orc/o.1" "after undo"
	p_end tr
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "ptrace: a process sitting in a ptrace stop (PTRACE_INTERRUPT) is patched: apply exits 0, once resumed it runs the patch; undo restores"
}

# ---- a stale word into the function on one thread's stack ---------------------------
test_staleword() {
	local pid orc=$work/oracle/staleword roots=$work/pm/staleword/patchroot
	have staleword || return
	p_start t "$work/pm/staleword" --serve || { check "staleword: the target starts"; return; }
	pid=${P_PID[t]}
	round t run "$orc/o.1" "round 1 (7 threads asleep, one with the word)"
	# The kernel's scan stops at the word; the precise check unwinds that
	# thread alone (the other 7 have no word into limit()) and lets it through.
	lk_expect 0 "apply over a stale word" --json apply -p "$pid" "$roots"
	[ "$(jq .threads "$tmp/lk.out")" = 8 ] || fail "threads: $(cat "$tmp/lk.out")"
	[ "$(jq .unwound "$tmp/lk.out")" = 1 ] ||
		fail "want 1 thread unwound, the one with the word: $(cat "$tmp/lk.out")"
	round t run "$orc/p.2" "round 2 (patched)"
	lk_expect 0 undo undo -p "$pid" --all
	round t run "$orc/o.3" "round 3 (undone)"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "staleword: a word into limit() on one of 8 threads' stacks: apply exits 0 after unwinding that thread only (--json unwound 1), the rounds are patched, undo restores"
}

# ---- coro: a coroutine suspended inside the patched function ---------------------
# round_is NAME WHAT TEXT: one round of NAME prints exactly TEXT.
round_is() {
	printf '%s\n' "$3" >"$tmp/want"
	round "$1" run "$tmp/want" "$2"
}
test_coro() {
	local pid roots=$work/pm/coro/patchroot lo="long-lived: step" fr="fresh: step"
	have coro || return
	# 1. Suspended in body() before the apply: the jump, not the code in place.
	p_start t "$work/pm/coro" --serve || { check "coro: the target starts"; return; }
	pid=${P_PID[t]}
	round_is t "round 1" "$lo 1"$'\n'"$fr 1"
	lk_expect 0 "apply with a coroutine suspended in body()" --json apply -p "$pid" "$roots" &&
		{ [ "$(jq .not_in_place_saved "$tmp/lk.out")" = 1 ] || fail "want body() out of place: $(cat "$tmp/lk.out")"; }
	lk_expect 0 list --json list -p "$pid" &&
		{ [ "$(jq -r '.patches[0].state' "$tmp/lk.out")" = live ] &&
		  [ "$(jq -r '.patches[0].in_place' "$tmp/lk.out")" = 0 ] || fail "list: $(cat "$tmp/lk.out")"; }
	# The suspended coroutine finishes the old code; a new one runs the new.
	round_is t "round 2, after apply" "$lo 2"$'\n'"$fr 1 (fixed)"
	lk_expect 0 undo undo -p "$pid"
	round_is t "round 3, after undo" "$lo 3"$'\n'"$fr 1"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "coro: a coroutine suspended inside body(), on a stack no thread runs on: apply gives body() the jump (--json not_in_place_saved 1, list in_place 0), the coroutine goes on in the old code, a new one runs the fixed code; undo"
	# 2. Nothing suspended at the apply: body() in place; a coroutine then runs the fixed code.
	p_start t "$work/pm/coro" --serve || { check "coro: the target starts"; return; }
	pid=${P_PID[t]}
	lk_expect 0 "apply before any coroutine" --json apply -p "$pid" "$roots" &&
		{ [ "$(jq .not_in_place_saved "$tmp/lk.out")" = 0 ] || fail "$(cat "$tmp/lk.out")"; }
	lk_expect 0 list --json list -p "$pid" &&
		{ [ "$(jq -r '.patches[0].in_place' "$tmp/lk.out")" = 1 ] || fail "list: $(cat "$tmp/lk.out")"; }
	round_is t "round 1, patched" "$lo 1 (fixed)"$'\n'"$fr 1 (fixed)"
	round_is t "round 2, patched" "$lo 2 (fixed)"$'\n'"$fr 1 (fixed)"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "coro: with no coroutine suspended in body() at the apply, body() is written in place (list in_place 1), and coroutines run the fixed code"
	# 3. A uprobe inside body(), past the bytes the patch checks: written
	# over, the probe would stop firing, and undo, after the probe is gone,
	# would put its breakpoint back with nobody to handle it (SIGTRAP).
	p_start t "$work/pm/coro" --serve || { check "coro: the target starts"; return; }
	pid=${P_PID[t]}
	uprobe_add p "$pid" prog body 16 || fail "no uprobe at body+16"
	lk_expect 0 "apply with a uprobe inside body()" --json apply -p "$pid" "$roots" &&
		{ [ "$(jq .not_in_place_changed "$tmp/lk.out")" = 1 ] || fail "$(cat "$tmp/lk.out")"; }
	lk_expect 0 list --json list -p "$pid" &&
		{ [ "$(jq -r '.patches[0].state' "$tmp/lk.out")" = live ] &&
		  [ "$(jq -r '.patches[0].in_place' "$tmp/lk.out")" = 0 ] || fail "list: $(cat "$tmp/lk.out")"; }
	uprobe_del
	lk_expect 0 undo undo -p "$pid"
	round_is t "round 1, after the probe went and undo" "$lo 1"$'\n'"$fr 1"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "coro: a uprobe at body+16 (perf probe's kind), past the patch's old bytes: apply gives body() the jump (--json not_in_place_changed 1, list in_place 0); the probe taken away, undo leaves no breakpoint behind: body() runs the original"
}

# ---- a thread inside the function being patched -----------------------------------
test_busy() {
	local pid tid orc=$work/oracle/busy roots=$work/pm/busy/patchroot addr base start size
	have busy || return
	p_start t "$work/pm/busy" --serve || { check "busy: the target starts"; return; }
	pid=${P_PID[t]}
	# The first round leaves a thread blocked in read() inside hold().
	round t run "$orc/o.1" "round 1"
	tid=$(ls /proc/"$pid"/task | grep -vx "$pid")
	[[ $tid =~ ^[0-9]+$ ]] || fail "want one thread besides the main one: $tid"
	lk_expect 3 "apply while a thread is in hold()" apply --attempts 3 --retry-delay 10 -p "$pid" "$roots"
	grep -q "thread $tid " "$tmp/lk.err" || fail "stderr does not name thread $tid: $(cat "$tmp/lk.err")"
	# It names the function, hold+OFFSET, and the address, inside hold() of this process.
	grep -q "thread $tid is returning into hold+0x[0-9a-f]* (0x" "$tmp/lk.err" ||
		fail "stderr does not name hold(): $(cat "$tmp/lk.err")"
	addr=$(grep -o "thread $tid [a-z ]* hold+0x[0-9a-f]* (0x[0-9a-f]*)" "$tmp/lk.err" | head -1 |
	       grep -o '(0x[0-9a-f]*)$' | tr -d '()')
	base=$(awk -v f="$work/pm/busy/prog" '$6 == f && $3 == "00000000" { print $1; exit }' /proc/"$pid"/maps | cut -d- -f1)
	read -r start size < <(nm -S "$work/pm/busy/prog" | awk '$4 == "hold" { print $1, $2 }')
	if [ -n "$addr" ] && [ -n "$base" ] && [ -n "$start" ]; then
		(( addr >= 16#$base + 16#$start && addr < 16#$base + 16#$start + 16#$size )) ||
			fail "the address $addr is not inside hold() ($start+$size from $base)"
	else
		fail "no address of the thread in: $(cat "$tmp/lk.err")"
	fi
	# And the thread's backtrace, symbolized: a frame in hold(), below holder().
	grep -qE '^ +#[0-9]+ +0x[0-9a-f]+ hold\+0x[0-9a-f]+ \(prog\)$' "$tmp/lk.err" &&
		grep -qE '^ +#[0-9]+ +0x[0-9a-f]+ holder\+0x[0-9a-f]+ \(prog\)$' "$tmp/lk.err" ||
		fail "no backtrace through hold() and holder() in: $(cat "$tmp/lk.err")"
	echo "$(cat "$tmp/lk.err")" | diag
	round t run "$orc/o.1" "after the busy apply"
	lk_expect 0 list --json list -p "$pid" && [ "$(all_count)" = 0 ] || fail "list: $(cat "$tmp/lk.out")"
	# No leftover mapping of the patch either: the target's maps are as before.
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "busy: a thread blocked in read() inside hold(): apply exits 3 naming that thread, hold+OFFSET, an address inside hold() and its backtrace; nothing changed (limit() is not patched either: the round is original, list is empty)"

	# The same under a uretprobe on libc's read(), as bpftrace's uretprobe
	# makes: the return address into hold() is no longer on the stack.
	p_start t "$work/pm/busy" --serve || { check "busy: the target starts"; return; }
	pid=${P_PID[t]}
	uprobe_add r "$pid" libc.so.6 read || fail "no uretprobe on read()"
	round t run "$orc/o.1" "round 1, under the uretprobe"
	tid=$(ls /proc/"$pid"/task | grep -vx "$pid")
	lk_expect 3 "apply while a thread is in hold(), under a uretprobe" \
		apply --attempts 3 --retry-delay 10 -p "$pid" "$roots"
	grep -q "thread $tid is returning, through a uretprobe, into hold+0x[0-9a-f]* (0x" "$tmp/lk.err" ||
		fail "stderr does not name hold() through the uretprobe: $(cat "$tmp/lk.err")"
	head -1 "$tmp/lk.err" | diag
	round t run "$orc/o.1" "after the busy apply, under the uretprobe"
	lk_expect 0 list --json list -p "$pid" && [ "$(all_count)" = 0 ] || fail "list: $(cat "$tmp/lk.out")"
	p_end t
	uprobe_del
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "busy: the same under a uretprobe on libc's read(), which takes the return address into hold() off the stack: apply exits 3, the thread 'returning, through a uretprobe, into hold+OFFSET'; nothing changed"
}

# uprobe_add KIND PID OBJ SYMBOL [OFFSET]: a tracefs uprobe (KIND p) or
# uretprobe (r) at SYMBOL+OFFSET of the object PID maps whose path ends in
# /OBJ (at its file offset, as uprobe_events wants), as perf probe or
# bpftrace would make it. uprobe_del takes them all away.
uprobe_add() {
	local kind=$1 lib vaddr off= v type o a f rest
	lib=$(awk -v l="/$3" 'index($6, l) && substr($6, length($6) - length(l) + 1) == l { print $6; exit }' \
		/proc/"$2"/maps)
	[ -n "$lib" ] || return 1
	# The symbol table, or the dynamic one (a library); versioned names: read@@GLIBC_2.2.5.
	vaddr=$( { nm --defined-only "$lib" 2>/dev/null; nm -D --defined-only "$lib"; } |
		awk -v s="$4" '{ split($3, n, "@") } n[1] == s { print $1; exit }')
	[ -n "$vaddr" ] || return 1
	v=$((16#$vaddr + ${5:-0}))
	# The file offset: through the PT_LOAD that holds it.
	while read -r type o a _ f rest; do
		[ "$type" = LOAD ] || continue
		if ((v >= a && v < a + f)); then
			off=$(printf '0x%x' $((v - a + o)))
			break
		fi
	done < <(readelf -lW "$lib")
	[ -n "$off" ] || return 1
	echo "$kind:lkp_apply_test/$kind $lib:$off" >>/sys/kernel/tracing/uprobe_events &&
		echo 1 >/sys/kernel/tracing/events/lkp_apply_test/$kind/enable
}
uprobe_del() {
	local kind
	for kind in p r; do
		[ -e /sys/kernel/tracing/events/lkp_apply_test/$kind ] || continue
		echo 0 >/sys/kernel/tracing/events/lkp_apply_test/$kind/enable
		echo "-:lkp_apply_test/$kind" >>/sys/kernel/tracing/uprobe_events
	done
}

# ---- bad input ------------------------------------------------------------------------
# one_line WHAT: lkpctl's stderr is exactly one line.
one_line() {
	[ "$(wc -l <"$tmp/lk.err")" = 1 ] || fail "$1: stderr is not one line: $(cat "$tmp/lk.err")"
}

test_bad() {
	local pid dead orc=$work/oracle/body roots=$work/pm/body/patchroot other id f out cpid k
	have body || return
	dead=$("$lkpt" dead-pid)
	lk_expect 1 "a pid that does not exist" apply -p "$dead" "$roots" && one_line "dead pid"
	grep -q "$dead" "$tmp/lk.err" || fail "stderr does not name $dead: $(cat "$tmp/lk.err")"
	lk_expect 1 "list of a pid that does not exist" list -p "$dead" && one_line "list of a dead pid"
	lk_expect 1 "undo in a pid that does not exist" undo -p "$dead" --all && one_line "undo of a dead pid"
	check "bad: a pid that does not exist: apply, list and undo exit 1 with one line naming it"

	lk_expect 2 "no -p" apply "$roots"
	lk_expect 2 "no patch" apply -p 1
	lk_expect 2 "-p not a number" apply -p x1 "$roots"
	lk_expect 2 "undo with a patch and --all" undo -p 1 --all "$roots"
	check "bad: usage errors exit 2 (apply without -p, without a patch, with -p x1; undo with a patch and --all)"

	p_start t "$work/pm/body" --serve || { check "bad: the target starts"; return; }
	pid=${P_PID[t]}
	for other in globals libc tls; do
		have $other && break
	done
	f=$(ls "$work/pm/$other"/patchroot/*.lkpp | head -1)
	id=$(basename "$f" .lkpp)
	lk_expect 1 "a patch for another build" apply -p "$pid" "$f" && one_line "foreign patch"
	grep -q "no object with build-id $id" "$tmp/lk.err" || fail "foreign patch: $(cat "$tmp/lk.err")"
	mkdir -p "$tmp/foreign" && cp "$f" "$tmp/foreign/"
	lk_expect 1 "a directory with no patch for the process" apply -p "$pid" "$tmp/foreign" && one_line "foreign dir"
	round t run "$orc/o.1" "after the foreign patches"
	check "bad: a patch file for another build exits 1 with 'no object with build-id $id'; a directory with nothing for the process exits 1; nothing changed"

	cp "$roots"/*.lkpp "$tmp/foreign/"
	lk_expect 0 "a directory with a foreign patch and the right one" --json apply -p "$pid" "$tmp/foreign" &&
		{ [ "$(jq '.objects | length' "$tmp/lk.out")" = 1 ] || fail "mixed dir: $(cat "$tmp/lk.out")"; }
	round t run "$orc/p.1" "after the mixed directory"
	lk_expect 0 undo undo -p "$pid" --all
	round t run "$orc/o.1" "after undo"
	check "bad: from a directory, a patch for another build is skipped and the right one applied"

	f=$tmp/damaged.lkpp
	cp "$roots"/*.lkpp "$f"
	printf '\xa5' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") / 2)) conv=notrunc status=none
	lk_expect 1 "a damaged patch" apply -p "$pid" "$f" && one_line "damaged patch"
	head -c 300 "$f" >"$tmp/short.lkpp"
	lk_expect 1 "a truncated patch" apply -p "$pid" "$tmp/short.lkpp" && one_line "truncated patch"
	lk_expect 1 "not a patch" apply -p "$pid" "$work/pm/body/prog" && one_line "not a patch"
	lk_expect 1 "no such file" apply -p "$pid" "$tmp/nonexistent.lkpp" && one_line "no such file"
	round t run "$orc/o.1" "after the bad files"
	lk_expect 0 list --json list -p "$pid" && [ "$(all_count)" = 0 ] || fail "list: $(cat "$tmp/lk.out")"
	lk_expect 1 "undo with nothing applied" undo -p "$pid" --all && one_line "nothing to undo"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "bad: a damaged, a truncated, a non-patch, a missing file: exit 1, one line; undo with nothing applied exits 1; the target is untouched"

	# A zombie: the served target's child, killed and not reaped.
	p_start t "$work/pm/body" --serve || { check "bad: the target starts"; return; }
	p_cmd t spawn
	cpid=${AT#@child }
	if [[ $cpid =~ ^[0-9]+$ ]]; then
		kill -KILL "$cpid"
		for k in $(seq 500); do
			grep -q '^State:.*Z' /proc/"$cpid"/status && break
			sleep 0.01
		done
		lk_expect 1 "apply to a zombie" apply -p "$cpid" "$roots" && one_line "zombie"
	else
		fail "spawn: $AT"
	fi
	p_end t
	check "bad: a zombie process: apply exits 1 with one line"

	# The target exits while lkpctl is stopped at each point of the apply.
	for at in after-map after-write after-txn; do
		p_start t "$work/pm/body" --serve || { check "bad: the target starts"; continue; }
		pid=${P_PID[t]}
		# Continue lkpctl only once the target is really gone (a zombie, or
		# reaped already: this shell reaps its background jobs itself).
		out=$("$lkpt" when-stopped cont --run "kill -KILL $pid; for i in \$(seq 1000); do grep -qs '^State:.*Z' /proc/$pid/status || [ ! -e /proc/$pid ] && exit 0; sleep 0.01; done; grep State /proc/$pid/status; exit 1" -- \
			env LKP_TEST_STOP_AT=$at "$lkpctl" apply -p "$pid" "$roots" 2>"$tmp/lk.err")
		# lkpctl's own stdout comes between lkpt's "stopped" and its status.
		case $at:$(head -1 <<<"$out"):$(tail -1 <<<"$out") in
		after-txn:stopped:"exit 0" | after-txn:stopped:"exit 1" | *:stopped:"exit 1") ;;
		*) fail "lkpctl after the target died $at: $out; stderr: $(cat "$tmp/lk.err")" ;;
		esac
		[[ $out == *"exit 1" ]] && one_line "target gone $at"
		echo "$at: $(tail -1 <<<"$out"): $(cat "$tmp/lk.err")" | diag
		p_end t
		[ "$ST" = 137 ] || fail "the target's status is $ST, not 137 (SIGKILL)"
	done
	check "bad: a target SIGKILLed while lkpctl apply is stopped after-map, after-write (exit 1, one line) or after-txn (exit 0 or 1): lkpctl exits, never by a signal"
}

# ---- fuzz the linker against a live target -------------------------------------------
# fuzz_one NAME FILE: apply FILE to target t; counts in FZ_*; failures through fail.
fuzz_one() {
	local name=$1 f=$2
	lk apply -p "$FZ_PID" "$f"
	case $LK_ST in
	0)
		FZ_APPLIED=$((FZ_APPLIED + 1))
		lk undo -p "$FZ_PID" --all
		[ "$LK_ST" = 0 ] || fail "$name applied, then undo: $(lk_said undo)"
		;;
	1 | 3) FZ_REFUSED=$((FZ_REFUSED + 1)) ;;
	*) fail "$name: lkpctl exited with status $LK_ST: $(head -c 300 "$tmp/lk.err")"
	   cp "$f" "$work/fuzz-fail-$name" 2>/dev/null ;;
	esac
	# A forked round: the target's own state (tls keeps some) stays that of round 1.
	if ! round t fork-run "$FZ_ORC" "after $name"; then
		fail "$name: the target no longer prints original-output (kept as build/tests/apply/fuzz-fail-$name)"
		cp "$f" "$work/fuzz-fail-$name" 2>/dev/null
		# Start over with a fresh target, so one failure does not hide the rest.
		p_end t
		p_start t "$FZ_DIR" --serve
		FZ_PID=${P_PID[t]}
	fi
}

# fuzz_pass CASE FIRST-SEED LABEL: the corpus (for body) and mutants FIRST-SEED.. of
# CASE's patch against a fresh target of CASE, with the lkpctl in $lkpctl.
fuzz_pass() {
	local c=$1 first=$2 label=$3 f id k total=${LKP_APPLY_FUZZ:-100} corpus=$top/tests/fuzz/corpus src
	FZ_DIR=$work/pm/$c
	FZ_ORC=$work/oracle/$c/o.1
	id=$(build_id "$FZ_DIR/prog")
	p_start t "$FZ_DIR" --serve || { check "fuzz $c: the target starts"; return; }
	FZ_PID=${P_PID[t]}
	FZ_APPLIED=0
	FZ_REFUSED=0
	if [ $c = body ]; then
		for f in "$corpus"/*; do
			fuzz_one "corpus-$(basename "$f")" "$f"
			"$lkpt" set-id "$f" "$id" "$tmp/fz.lkpp" && fuzz_one "corpus-id-$(basename "$f")" "$tmp/fz.lkpp"
		done
		check "fuzz$label: $(ls "$corpus" | wc -l) corpus files, as they are and with the build-id of body's prog: lkpctl exits 0, 1 or 3, never by a signal; what applied undoes; the target prints original-output throughout ($FZ_APPLIED applied, $FZ_REFUSED refused)"
		FZ_APPLIED=0
		FZ_REFUSED=0
	fi
	src=$(ls "$FZ_DIR"/patchroot/*.lkpp | head -1)
	for k in $(seq "$first" $((first + total - 1))); do
		"$lkpt" mutate "$src" "$k" "$id" "$tmp/fz.lkpp" || { fail "mutate $k"; continue; }
		fuzz_one "$c-mutant-$k" "$tmp/fz.lkpp"
	done
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "fuzz$label: $total mutants of $c's patch (seeds $first..$((first + total - 1)); tables changed, build-id and checksum made right): lkpctl exits 0, 1 or 3, never by a signal; what applied undoes; the target prints original-output throughout ($FZ_APPLIED applied, $FZ_REFUSED refused)"
}

test_fuzz() {
	local c asan=$top/build/tests/lkpp/lkpctl-asan saved=$lkpctl
	for c in body libc tls; do
		have $c && fuzz_pass $c 1 ""
	done
	# Again with lkpctl built with ASan and UBSan: a report aborts it (a signal).
	if [ -x "$asan" ] && have body; then
		lkpctl=$asan
		export ASAN_OPTIONS=abort_on_error=1:detect_leaks=0
		export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
		fuzz_pass body 1001 " (lkpctl-asan)"
		lkpctl=$saved
		unset ASAN_OPTIONS UBSAN_OPTIONS
	else
		ok "fuzz (lkpctl-asan) # SKIP build/tests/lkpp/lkpctl-asan not built"
	fi
}

# ---- undo under a thread that still uses the patch's data ----------------------------
test_tailcall() {
	local pid orc=$work/oracle/tailcall roots=$work/pm/tailcall/patchroot maps
	have tailcall || return
	p_start t "$work/pm/tailcall" --serve || { check "tailcall: the target starts"; return; }
	pid=${P_PID[t]}
	round t run "$orc/o.1" "round 1 (the lock held, the thread started)"
	maps=$(anon_maps "$pid")
	lk_expect 0 apply apply -p "$pid" "$roots"
	# The thread enters the new report(), which jumps to printf() and waits there for the lock.
	round t run "$orc/p.2" "round 2 (the thread waits in printf)"
	# The switch does not wait for it: the thread runs no patch code, it only
	# points into the patch's data. The memory stays for it, not live.
	lk_expect 0 undo undo -p "$pid" --all
	grep -q "the memory of 1 undone patch stays mapped, not live: thread [0-9]* points into it" \
		"$tmp/lk.out" || fail "undo does not say the memory stays: $(lk_said undo)"
	lk --json list -p "$pid"
	[ "$(live_count)" = 0 ] || fail "list after undo: $(cat "$tmp/lk.out")"
	# The lock is released: printf() reads the new report()'s format string.
	round t run "$orc/p.3" "round 3 (printf goes on, after the undo)"
	# Nothing points there any more: the next undo frees it.
	lk_expect 0 "undo once the thread is done" undo -p "$pid" --all
	grep -q "1 stale patch cleaned up" "$tmp/lk.out" || fail "the second undo: $(lk_said undo)"
	[ -z "$(new_maps "$maps" "$pid")" ] || fail "lkp's memory is still mapped: $(new_maps "$maps" "$pid")"
	round t run "$orc/o.4" "round 4"
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "tailcall: undo while a thread waits in printf(), tail-called by the patched report() with its format string in the patch's rodata: undo exits 0 and keeps the memory, the thread then prints the new report instead of faulting, and the next undo frees it"
}

# ---- unwind: the patch's unwind rules registered in the process -------------
# unwind_state: .unwind of the one patch list --json shows.
unwind_state() { jq -r '.patches[0].unwind' "$tmp/lk.out" 2>/dev/null; }

test_unwind() {
	local pid orc=$work/oracle/cxxthrow roots=$work/pm/cxxthrow/patchroot maps k
	have cxxthrow || return
	p_start t "$work/pm/cxxthrow" --serve || { check "unwind: the target starts"; return; }
	pid=${P_PID[t]}
	maps=$(anon_maps "$pid")
	# Twice: undo takes the rules back, and the next apply registers them again.
	# The jump, not the code in place: only the patch's own rules unwind it.
	for k in 1 2; do
		LKP_TEST_NO_INPLACE=1 lk_expect 0 "apply $k" apply -p "$pid" "$roots"
		lk --json list -p "$pid"
		[ "$(unwind_state)" = registered ] || fail "apply $k: list --json: $(cat "$tmp/lk.out")"
		round t run "$orc/p.1" "after apply $k: a throw through the new scaled_port(), backtrace() from it"
		lk_expect 0 "undo $k" undo -p "$pid" --all
		# libgcc held no pointer into the memory, or it would have stayed.
		[ -z "$(new_maps "$maps" "$pid")" ] ||
			fail "undo $k left: $(new_maps "$maps" "$pid"); $(lk_said undo)"
		round t run "$orc/o.1" "after undo $k: a throw through the old code"
	done
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "unwind: apply registers the patch's unwind rules (list --json: unwind registered), a C++ throw and backtrace() go through the new code; undo takes them back and unmaps, a throw after undo works; the same after a second apply and undo"

	# Its only thread asleep in read() of a socket: none can run the call.
	P_WRAP="$top/tests/apply/sockstdin" p_start t "$work/pm/cxxthrow" --serve ||
		{ check "unwind: the target on a socket starts"; return; }
	pid=${P_PID[t]}
	maps=$(anon_maps "$pid")
	# The jump, not the code in place: the throw unwinds the patch's copy.
	LKP_TEST_NO_INPLACE=1 lk_expect 0 "apply, no thread to lend" --json apply -p "$pid" "$roots" &&
		{ [ "$(jq -r .unwind_unregistered "$tmp/lk.out")" = 1 ] ||
		  fail "apply: unwind_unregistered is not 1: $(cat "$tmp/lk.out")"; }
	lk --json list -p "$pid"
	[ "$(unwind_state)" = "not registered" ] || fail "list --json after apply: $(cat "$tmp/lk.out")"
	# What unregistered means: a throw through the new code finds no rules.
	p_cmd t fork-run
	[ "$AT" = "@end signal 6" ] || fail "fork-run, a throw through unregistered code: '$AT', not abort(); it printed:" "$OUT"
	lk_expect 0 "undo" undo -p "$pid" --all
	[ -z "$(new_maps "$maps" "$pid")" ] || fail "undo left: $(new_maps "$maps" "$pid")"
	round t run "$orc/o.1" "after undo: a throw through the old code"
	# In place (scaled_port() is movable: its rules are its old FDE's), the
	# object's own FDE unwinds the new code: registered or not, it throws.
	lk_expect 0 "apply in place, no thread to lend" apply -p "$pid" "$roots"
	round t fork-run "$orc/p.1" "in place, unregistered: a throw through the new code"
	lk_expect 0 "undo" undo -p "$pid" --all
	p_end t
	[ "$ST" = 0 ] || fail "the target exited with status $ST"
	check "unwind: with no thread to lend (asleep in read() of a socket), apply applies unregistered (unwind_unregistered 1, list: not registered): through the jump a throw in the new code aborts a forked round, in place (the old FDE's rules) it is caught; undo unmaps all, the old code throws and catches"
}
