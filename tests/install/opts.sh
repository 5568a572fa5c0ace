# SPDX-License-Identifier: GPL-2.0
# opts.sh: sourced by the install tests: the options and commands a --help text and an scdoc manual name.

# stdin: a --help text. Prints each option it lists (-x, --long), sorted.
# An option line starts with blanks and a dash; its option column ends at
# the first two blanks followed by something that is not an option, so that
# options named in a description do not count.
help_options()
{
	awk '/^[ \t]+-/ {
		col = $0
		sub(/^[ \t]+/, "", col)
		if (match(col, /  +[^ -]/))
			col = substr(col, 1, RSTART - 1)
		n = split(col, w, /[ ,=]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^--?[A-Za-z][A-Za-z0-9-]*$/)
				print w[i]
	}' | sort -u
}

# stdin: lkpctl --help. Prints the commands of its "commands:" list, sorted.
help_commands()
{
	awk '/^commands:/ { on = 1; next } /^[^ ]/ { on = 0 } on && /^  [a-z]/ { print $1 }' | sort -u
}

# stdin: a --help text with an ENVIRONMENT section (lkp-patch-make's manual
# style). Prints the variables it describes, sorted.
help_environment()
{
	awk '/^[A-Z][A-Z ]*$/ { on = ($0 == "ENVIRONMENT"); next }
	     on && /^    [A-Z]/ { col = $0; sub(/^ +/, "", col); sub(/  .*/, "", col)
		n = split(col, w, /[ ,]+/); for (i = 1; i <= n; i++) if (w[i] ~ /^[A-Z_]+$/) print w[i] }' | sort -u
}

# $1: an scdoc file, $2: a heading ("# OPTIONS", "## apply"). Prints the
# options of the entries under that heading (lines starting "*-"), up to
# the next heading of the same or a higher level, sorted.
man_options()
{
	awk -v head="$2" '
		/^#+ / { if (on) { lvl = $0; sub(/ .*/, "", lvl); if (length(lvl) <= depth) on = 0 } }
		$0 == head { on = 1; depth = head; sub(/ .*/, "", depth); depth = length(depth); next }
		on && /^\*-/ {
			s = $0
			while (match(s, /\*--?[A-Za-z][A-Za-z0-9-]*\*/)) {
				print substr(s, RSTART + 1, RLENGTH - 2)
				s = substr(s, RSTART + RLENGTH)
			}
		}' "$1" | sort -u
}

# $1: an scdoc file. Prints the "## NAME" subheadings of its COMMANDS section, sorted.
man_commands()
{
	awk '/^# / { on = ($0 == "# COMMANDS"); next } on && /^## / { print $2 }' "$1" | sort -u
}

# $1: an scdoc file. Prints the variables of its ENVIRONMENT section (entries "*NAME*"), sorted.
man_environment()
{
	awk '/^# / { on = ($0 == "# ENVIRONMENT"); next }
	     on && /^\*[A-Z]/ { s = $0; while (match(s, /\*[A-Z_]+\*/)) {
		print substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) } }' "$1" | sort -u
}
