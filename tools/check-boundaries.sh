#!/bin/sh
# The module boundary rule (docs/ARCHITECTURE.md, rules 1 and 2): a module
# includes no other module's header, names no other module's database file,
# and, when its objects are built, calls no other module's symbols.
# Usage: tools/check-boundaries.sh [ROOT] [OBJDIR].  Exit 1 on a violation.
root=${1:-.}
objdir=${2:-}
cd "$root" || exit 2
[ -d modules ] || { echo "check-boundaries: no modules/ yet"; exit 0; }
mods=$(find modules -mindepth 1 -maxdepth 1 -type d -exec basename {} \; | sort)
bad=0
for m in $mods; do
	for o in $mods; do
		[ "$m" = "$o" ] && continue
		if grep -rnE "#[[:space:]]*include[[:space:]]*[\"<]([^\">]*/)?(modules/)?$o/|#[[:space:]]*include[[:space:]]*[\"<]$o(_[a-z0-9_]*)?\.h[\">]" "modules/$m"; then
			echo "module $m includes module $o"
			bad=1
		fi
		if grep -rnE "[\"/]$o\.db[\"]" "modules/$m"; then
			echo "module $m names module $o's database"
			bad=1
		fi
	done
	[ -n "$objdir" ] && [ -d "$objdir/app/modules/$m" ] || continue
	others=$(echo "$mods" | grep -vx "$m" | paste -sd'|' -)
	[ -n "$others" ] || continue
	if find "$objdir/app/modules/$m" -name '*.o' -exec nm -u {} + |
	    grep -E "[[:space:]]($others)_"; then
		echo "module $m calls into another module"
		bad=1
	fi
done
[ $bad = 0 ] && echo "check-boundaries: ok ($(echo $mods | wc -w) modules)"
exit $bad
