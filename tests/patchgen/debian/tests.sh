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
#   - a .deb of another version: exit 1, one line naming both versions.
# Each dpkg-buildpackage of the package takes a few seconds.

# deb_build DIR [OPTIONS]: a plain dpkg-buildpackage -B in DIR
deb_build() {
	(cd "$1" && DEB_BUILD_OPTIONS="nocheck ${2:-}" dpkg-buildpackage -B -us -uc) >"$1.plain.log" 2>&1
}

# deb_build_id DEB: the GNU build-id of DEB's /usr/bin/answer
deb_build_id() {
	rm -rf "$work/debian/x" && mkdir -p "$work/debian/x" && dpkg-deb -x "$1" "$work/debian/x" &&
		readelf -n "$work/debian/x/usr/bin/answer" | awk '/Build ID:/ { print $3 }'
}

debian_tests() {
	local here_deb=$here/debian w=$work/debian tree deb id got err line f st
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

	# 3. a .deb of another version
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
