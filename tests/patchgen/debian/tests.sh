# SPDX-License-Identifier: GPL-2.0
# tests.sh: lkp-patch-deb on a fake Debian source package (answer/), sourced by tests/patchgen/run-host.
#
# debian_tests, with run-host's ok/not_ok/skip/diag and $work, $bin:
#   - a plain dpkg-buildpackage -B of answer/ gives the target .deb; then
#     lkp-patch-deb -C TREE -d THAT.deb answer-fix.diff exits 0, reports 1/1
#     object reproduced, writes exactly one patch, named by the build-id of
#     the .deb's /usr/bin/answer, holding exactly answer(); the tree's
#     sources are restored and the target .deb beside the tree is unchanged;
#     its stderr on a pseudo-terminal (build/tests/ptyrun), lkp-patch-make's
#     progress line of each stage reaches it (LKP_PROGRESS_FD), not stdout;
#   - the same with DEB_BUILD_OPTIONS=embeddate (the program embeds its build
#     time, ignoring SOURCE_DATE_EPOCH): exit 1 before the patched build, no
#     patch, and stderr is one line naming usr/bin/answer, a build-id of this
#     build and the target's, .rodata as the first section that differs and
#     "an embedded date" with both dates, and no "\r" of a progress line;
#   - a .deb of another version: exit 1, one line naming both versions;
#   - a target .deb built with DEB_BUILD_OPTIONS=otherdebug (-g3: only what
#     dh_strip removes differs, so another build-id): exit 0, reported
#     "0/1 objects exactly, 1 re-keyed" with one line naming the object,
#     this build's build-id and the target's; one patch, named by the
#     target's build-id, which lkpctl info shows, holding answer();
#   - that .deb with one byte of answer's .rodata changed, and with its
#     PT_GNU_STACK made executable (a program header, no section): each
#     refused in one line before the patched build, no patch.
# Each dpkg-buildpackage of the package takes a few seconds.

# deb_build DIR [OPTIONS]: a plain dpkg-buildpackage -B in DIR
deb_build() {
	(cd "$1" && DEB_BUILD_OPTIONS="nocheck ${2:-}" dpkg-buildpackage -B -us -uc) >"$1.plain.log" 2>&1
}

# deb_mutate DEB OUT HOW: DEB with its /usr/bin/answer changed, as OUT:
# HOW "rodata" changes one byte of its format string, "stack" its
# PT_GNU_STACK's flags to RWX
deb_mutate() {
	local x=$work/debian/mut f off phoff phnum i
	rm -rf "$x" && mkdir -p "$x" && dpkg-deb -R "$1" "$x" || return
	f=$x/usr/bin/answer
	case $3 in
	rodata)
		off=$(grep -obUa 'answer: %d' "$f" | head -n 1 | cut -d: -f1)
		[ -n "$off" ] || return
		printf 'A' | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
		;;
	stack)
		phoff=$(od -An -tu8 -j32 -N8 "$f" | tr -d ' ')
		phnum=$(od -An -tu2 -j56 -N2 "$f" | tr -d ' ')
		for ((i = 0; i < phnum; i++)); do
			[ "$(od -An -tu4 -j$((phoff + 56 * i)) -N4 "$f" | tr -d ' ')" = $((0x6474e551)) ] || continue
			printf '\x07' | dd of="$f" bs=1 seek=$((phoff + 56 * i + 4)) conv=notrunc status=none
		done
		;;
	esac
	mkdir -p "$(dirname "$2")" && dpkg-deb -b "$x" "$2" >/dev/null 2>&1
}

# deb_build_id DEB: the GNU build-id of DEB's /usr/bin/answer
deb_build_id() {
	rm -rf "$work/debian/x" && mkdir -p "$work/debian/x" && dpkg-deb -x "$1" "$work/debian/x" &&
		readelf -n "$work/debian/x/usr/bin/answer" | awk '/Build ID:/ { print $3 }'
}

debian_tests() {
	local here_deb=$here/debian w=$work/debian tree deb id got err line f st ours
	if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
		skip "debian: lkp-patch-deb reproduces and patches a Debian package" "dpkg-dev or debhelper not installed (scripts/deps)"
		skip "debian: lkp-patch-deb refuses a package that embeds its build date" "dpkg-dev or debhelper not installed"
		return
	fi
	if [ ! -x "$bin/lkp-patch-deb" ] || [ ! -x "$bin/lkpctl" ]; then
		skip "debian: lkp-patch-deb reproduces and patches a Debian package" "lkp-patch-deb or lkpctl not built"
		skip "debian: lkp-patch-deb refuses a package that embeds its build date" "lkp-patch-deb or lkpctl not built"
		return
	fi

	# 1. reproduced and patched
	tree=$w/good/answer-1.0
	deb=$w/good/answer_1.0_amd64.deb
	rm -rf "$w" && mkdir -p "$w/good" && cp -r "$here_deb/answer" "$tree" || { not_ok "debian: copy"; return; }
	if ! deb_build "$tree"; then
		not_ok "debian: a plain dpkg-buildpackage of the fake package"
		tail -5 "$tree.plain.log" | diag
		return
	fi
	id=$(deb_build_id "$deb")
	sha256sum "$deb" >"$w/deb.sum"
	# its stderr on a terminal (tests/lib/ptyrun): lkp-patch-make's progress reaches it
	PATH=$bin:$PATH "$top/build/tests/ptyrun" "$w/good.err" "$bin/lkp-patch-deb" -C "$tree" \
		-d "$deb" -o "$w/good/patchroot" "$here_deb/answer-fix.diff" >"$w/good.out"
	st=$?
	got=$(ls "$w/good/patchroot" 2>/dev/null)
	if [ $st -eq 0 ] && grep -qx 'reproduced 1/1 objects exactly' "$w/good.out" &&
	   [ -n "$id" ] && [ "$got" = "$id.lkpp" ] &&
	   [ "$("$bin/lkpctl" info --json "$w/good/patchroot/$got" | jq -r '[.functions[].name] | join(",")')" = answer ]; then
		ok "debian: lkp-patch-deb reproduces the .deb's answer (1/1) and patches answer() under its build-id"
	else
		not_ok "debian: lkp-patch-deb reproduces the .deb's answer (1/1) and patches answer() under its build-id (status $st, patches: ${got:-none}, want $id.lkpp)"
		cat "$w/good.out" "$w/good.err" | tail -5 | diag
	fi
	# the package build's stages, each drawn in place and left with its count
	if [ "$(drawn_stages "$w/good.err")" = 3 ] && ! grep -q $'\r' "$w/good.out" &&
	   final_lines "$w/good.err" | tr '\n' '|' | grep -qxE "lkp-patch-make: original build: [1-9][0-9]* objects compiled, T s\|lkp-patch-make: patched build: [1-9][0-9]* objects compiled, [1-9][0-9]* diffed, T s\|lkp-patch-make: patch files: 1/1 binaries, T s\|"; then
		ok "debian: on a terminal, lkp-patch-deb shows the progress of each stage of the package's builds"
	else
		not_ok "debian: on a terminal, lkp-patch-deb shows the progress of each stage of the package's builds"
		tr '\r' '|' <"$w/good.err" | diag
	fi
	st=0
	for f in $(cd "$here_deb/answer" && find . -type f); do
		cmp -s "$here_deb/answer/$f" "$tree/$f" || st=1
	done
	if [ $st = 0 ] && sha256sum -c --quiet "$w/deb.sum" >/dev/null 2>&1; then
		ok "debian: the tree's sources and the target .deb beside it are unchanged"
	else
		not_ok "debian: the tree's sources and the target .deb beside it are unchanged"
	fi

	# 2. an embedded build date: refused, in one line
	tree=$w/dated/answer-1.0
	deb=$w/dated/answer_1.0_amd64.deb
	mkdir -p "$w/dated" && cp -r "$here_deb/answer" "$tree" && deb_build "$tree" embeddate ||
		{ not_ok "debian: a plain build with embeddate"; return; }
	id=$(deb_build_id "$deb")
	DEB_BUILD_OPTIONS="nocheck embeddate" PATH=$bin:$PATH "$bin/lkp-patch-deb" -C "$tree" -d "$deb" \
		-o "$w/dated/patchroot" "$here_deb/answer-fix.diff" >"$w/dated.out" 2>"$w/dated.err"
	st=$?
	err=$(cat "$w/dated.err")
	line="^lkp-patch-deb: usr/bin/answer: the original build does not make the target /usr/bin/answer \\($deb\\): build-id [0-9a-f]{40}, the target's $id; first section that differs: \\.rodata; why: an embedded date: '[A-Z][a-z]{2} [ 0-9]{2} [0-9]{4} [0-9:.]+' here, '[A-Z][a-z]{2} [ 0-9]{2} [0-9]{4} [0-9:.]+' in the target\$"
	# (stderr a file: not a byte of progress either)
	if [ $st -eq 1 ] && [ "$(wc -l <"$w/dated.err")" = 1 ] && grep -qE -- "$line" <<<"$err" &&
	   ! grep -q $'\r' "$w/dated.err" "$w/dated.out" &&
	   ! grep -q "build-id $id," <<<"$err" && [ ! -e "$w/dated/patchroot" ] &&
	   grep -qx 'reproduced 0/1 objects exactly; nothing patched' "$w/dated.out"; then
		ok "debian: lkp-patch-deb refuses a package that embeds its build date, in one line (object, build-ids, .rodata, the dates)"
	else
		not_ok "debian: lkp-patch-deb refuses a package that embeds its build date, in one line (status $st)"
		diag <"$w/dated.err"
	fi

	# 3. only the debug information differs: the patch is keyed to the target
	tree=$w/debug/answer-1.0
	deb=$w/debug/answer_1.0_amd64.deb
	mkdir -p "$w/debug" && cp -r "$here_deb/answer" "$tree" && deb_build "$tree" otherdebug ||
		{ not_ok "debian: a plain build with otherdebug"; return; }
	id=$(deb_build_id "$deb")
	PATH=$bin:$PATH "$bin/lkp-patch-deb" -C "$tree" -d "$deb" -o "$w/debug/patchroot" \
		"$here_deb/answer-fix.diff" >"$w/debug.out" 2>"$w/debug.err"
	st=$?
	got=$(ls "$w/debug/patchroot" 2>/dev/null)
	line="^lkp-patch-deb: usr/bin/answer: only the debug information differs \\(every loaded section and the program headers are this build's, build-id ([0-9a-f]{40})\\); patch keyed to the target's build-id $id\$"
	ours=$(grep -E -- "$line" "$w/debug.out" | grep -oE "this build's, build-id [0-9a-f]{40}" | sed 's/.* //')
	if [ $st -eq 0 ] && [ -n "$id" ] && [ -n "$ours" ] && [ "$ours" != "$id" ] &&
	   [ "$(grep -c 'only the debug information differs' "$w/debug.out")" = 1 ] &&
	   grep -qx 'reproduced 0/1 objects exactly, 1 re-keyed' "$w/debug.out" && [ "$got" = "$id.lkpp" ] &&
	   [ "$("$bin/lkpctl" info --json "$w/debug/patchroot/$got" | jq -r '.build_id + " " + ([.functions[].name] | join(","))')" = "$id answer" ]; then
		ok "debian: a .deb that differs only in its debug information (-g3) is re-keyed: the patch carries its build-id"
	else
		not_ok "debian: a .deb that differs only in its debug information (-g3) is re-keyed: the patch carries its build-id (status $st, patches: ${got:-none}, want $id.lkpp)"
		cat "$w/debug.out" "$w/debug.err" | tail -5 | diag
	fi

	# 4. one loaded byte or one program header more: refused as before
	for f in rodata stack; do
		deb_mutate "$deb" "$w/debug/$f/answer_1.0_amd64.deb" "$f" ||
			{ not_ok "debian: a .deb with $f changed"; continue; }
		id=$(deb_build_id "$w/debug/$f/answer_1.0_amd64.deb")
		PATH=$bin:$PATH "$bin/lkp-patch-deb" -C "$tree" -d "$w/debug/$f/answer_1.0_amd64.deb" \
			-o "$w/debug/$f/patchroot" "$here_deb/answer-fix.diff" >"$w/$f.out" 2>"$w/$f.err"
		st=$?
		case $f in
		rodata) line="first section that differs: \\.rodata; why: its strings differ: 'answer: %d' here, 'Answer: %d' in the target" ;;
		stack) line="first section that differs: none of those both have; why: the program headers differ \\(" ;;
		esac
		line="^lkp-patch-deb: usr/bin/answer: the original build does not make the target /usr/bin/answer \\($w/debug/$f/answer_1.0_amd64.deb\\): build-id [0-9a-f]{40}, the target's $id; $line"
		if [ $st -eq 1 ] && [ "$(wc -l <"$w/$f.err")" = 1 ] && grep -qE -- "$line" "$w/$f.err" &&
		   [ ! -e "$w/debug/$f/patchroot" ] &&
		   grep -qx 'reproduced 0/1 objects exactly; nothing patched' "$w/$f.out"; then
			ok "debian: that .deb with $([ $f = rodata ] && echo 'one byte of .rodata' || echo 'an executable stack (a program header)') changed is refused in one line"
		else
			not_ok "debian: that .deb with $f changed is refused in one line (status $st)"
			cat "$w/$f.out" "$w/$f.err" | tail -5 | diag
		fi
	done

	# 5. a .deb of another version
	mkdir -p "$w/other/x" && dpkg-deb -R "$deb" "$w/other/x" &&
		sed -i 's/^Version: .*/Version: 1.1/' "$w/other/x/DEBIAN/control" &&
		dpkg-deb -b "$w/other/x" "$w/other/answer_1.1_amd64.deb" >/dev/null 2>&1
	"$bin/lkp-patch-deb" -C "$tree" -d "$w/other/answer_1.1_amd64.deb" "$here_deb/answer-fix.diff" \
		>/dev/null 2>"$w/other.err"
	st=$?
	if [ $st -eq 1 ] && [ "$(wc -l <"$w/other.err")" = 1 ] &&
	   grep -qxF "lkp-patch-deb: answer 1.1: not built from this source (answer 1.0): get the source of version 1.1" "$w/other.err"; then
		ok "debian: a .deb of another version is refused in one line"
	else
		not_ok "debian: a .deb of another version is refused in one line (status $st)"
		diag <"$w/other.err"
	fi
}
