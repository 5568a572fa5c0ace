# SPDX-License-Identifier: GPL-2.0
# lkpctl.bash: bash completion of lkpctl: commands, each command's options, patch files, and PIDs for -p.
#
# Installed as share/bash-completion/completions/lkpctl. Self-contained (no
# bash-completion helpers), so that it can be sourced and tested alone.
#
# The PIDs offered after -p/--pid (lkpctl(8), BASH COMPLETION): with a patch
# file or directory already on the line, the processes that map an object
# whose GNU build-id is one of those patches' (what apply would patch);
# without one, every process whose maps the user can read and that maps an
# executable file (kernel threads and other users' processes are left out).

_lkpctl_cmds="apply undo list info stack install uninstall status version"

# The options of command $1 (empty: lkpctl's own), as its --help lists them.
_lkpctl_options()
{
	case $1 in
	"") echo "-j --json -h --help" ;;
	apply) echo "-p --pid -a --all -j --json --attempts --retry-delay --timeout --workers -h --help" ;;
	undo) echo "-p --pid -a --all -j --json --attempts --retry-delay --timeout -h --help" ;;
	list) echo "-p --pid -a --all -j --json -h --help" ;;
	info) echo "-j --json -v --verbose -h --help" ;;
	stack) echo "-p --pid -n --frames -j --json -h --help" ;;
	install | uninstall) echo "--store --socket -j --json -h --help" ;;
	status) echo "--socket -j --json -h --help" ;;
	version) echo "-j --json -h --help" ;;
	esac
}

# Options of command $1 that take a value (the next word is not a command argument).
_lkpctl_takes_value()
{
	case $1 in
	-p | --pid | -n | --frames | --attempts | --retry-delay | --timeout | --workers | \
	--store | --socket) return 0 ;;
	esac
	return 1
}

# The GNU build-id of ELF file $1 (lowercase hex), empty if it has none.
_lkpctl_file_build_id()
{
	LC_ALL=C readelf -n "$1" 2>/dev/null | sed -n 's/^ *Build ID: *\([0-9a-f]*\).*/\1/p' | head -n 1
}

# The build-ids of the patches named by words $2..., through lkpctl ($1) info.
_lkpctl_patch_build_ids()
{
	local ctl=$1 w f
	shift
	for w in "$@"; do
		if [ -d "$w" ]; then
			for f in "$w"/*.lkpp; do
				[ -f "$f" ] && echo "$f"
			done
		elif [ -f "$w" ]; then
			echo "$w"
		fi
	done | while IFS= read -r f; do
		"$ctl" --json info "$f" 2>/dev/null |
			sed -n 's/.*"build_id" *: *"\([0-9a-f]*\)".*/\1/p' | head -n 1
	done
}

# PIDs as described at the top; $1 is lkpctl, $2... the patch words.
_lkpctl_pids()
{
	local ctl=$1 ids d pid f id
	local -A bid
	shift
	ids=" $(_lkpctl_patch_build_ids "$ctl" "$@" | tr '\n' ' ')"
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		# the file-backed executable mappings: the executable and its libraries
		local files
		files=$(awk '$2 ~ /x/ && $6 ~ /^\// { print $6 }' "$d/maps" 2>/dev/null | sort -u)
		[ -n "$files" ] || continue
		if [ $# -eq 0 ]; then
			echo "$pid"
			continue
		fi
		while IFS= read -r f; do
			if [ -z "${bid[$f]+set}" ]; then
				bid[$f]=$(_lkpctl_file_build_id "$f")
			fi
			id=${bid[$f]}
			if [ -n "$id" ] && [[ $ids == *" $id "* ]]; then
				echo "$pid"
				break
			fi
		done <<<"$files"
	done
}

_lkpctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= ctl=${COMP_WORDS[0]}
	local cmd= i w skip=0
	local -a patches=()

	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	command -v "$ctl" >/dev/null 2>&1 || ctl=lkpctl
	# The command, and the command's words that are not options (patches).
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ $skip = 1 ]; then
			skip=0
			continue
		fi
		case $w in
		-*) _lkpctl_takes_value "$w" && skip=1 ;;
		*)
			if [ -z "$cmd" ]; then
				cmd=$w
			else
				patches+=("$w")
			fi
			;;
		esac
	done

	COMPREPLY=()
	case $prev in
	-p | --pid)
		[ -n "$cmd" ] || return 0
		COMPREPLY=($(compgen -W "$(_lkpctl_pids "$ctl" "${patches[@]}")" -- "$cur"))
		return 0
		;;
	--store)
		COMPREPLY=($(compgen -d -- "$cur"))
		return 0
		;;
	--socket)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
		;;
	-n | --frames | --attempts | --retry-delay | --timeout | --workers)
		return 0
		;;
	esac

	if [ -z "$cmd" ]; then
		case $cur in
		-*) COMPREPLY=($(compgen -W "$(_lkpctl_options "")" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "$_lkpctl_cmds" -- "$cur")) ;;
		esac
		return 0
	fi
	case $cur in
	-*)
		COMPREPLY=($(compgen -W "$(_lkpctl_options "$cmd")" -- "$cur"))
		return 0
		;;
	esac
	case $cmd in
	apply | undo | info | install)
		# patch files and the directories that may hold them
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.lkpp' -- "$cur"))
		;;
	esac
	return 0
}

complete -F _lkpctl lkpctl
