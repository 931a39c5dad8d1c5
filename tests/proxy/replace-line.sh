# Sourced by the scripts that turn the documented nginx files into test configurations.
# replace_line FILE FROM TO: the line FROM of FILE (whole line, exactly as written) becomes TO
# (empty: dropped; "\n" in TO starts a new line). A FROM not in FILE fails the script: the tests
# must run what operators copy, so a changed doc line has to change here too.
replace_line() {
	grep -qxF "$2" "$1" || { echo "$(basename "$0"): $1 has no line '$2'" >&2; exit 1; }
	awk -v from="$2" -v to="$3" '$0 == from { if (to != "") print to; next } { print }' "$1" >"$1.new"
	mv "$1.new" "$1"
}
