#!/bin/bash
# test_askpass.sh - jwt-auth-askpass driven as ssh drives it: the prompt as
# the only argument, the answer on standard output.  Checked: the parts of
# long tokens (sizes at the edges of a part), the prompts it answers and the
# many it must refuse (exit 1 and nothing on standard output), the token
# file's checks, JWT_AUTH_TOKEN_CMD run once per ssh process (a second
# "Token: " of the same process refused, another process getting its own
# run) with the token kept 0600 in XDG_RUNTIME_DIR, recording the start
# time of the ssh process, and removed after the last part, the sweep of
# stale files at every run, the bound on a command whose output is held
# open after it exited, and that no run ever shows the token on standard
# error.
#
# Most runs are children of this shell, so their parent pid (the "ssh
# process" that keys the marker and the kept token) is $$; new_conn stands
# for a new ssh process.  as_one_ssh runs several prompts as children of
# one other shell.

. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

ASKPASS=$top_builddir/tools/jwt-auth-askpass
[ -x "$ASKPASS" ] || skip_all "$ASKPASS is not built"
command -v base64 >/dev/null 2>&1 || skip_all "base64 is needed to make tokens"

unset JWT_AUTH_TOKEN_FILE JWT_AUTH_TOKEN_CMD SSH_ASKPASS_PROMPT
run=$T/run
mkdir "$run" && chmod 0700 "$run" || exit 99
XDG_RUNTIME_DIR=$run
export XDG_RUNTIME_DIR
kept=$run/jwt-auth-askpass.$$.token

# ---- tokens ------------------------------------------------------------------
# rand_b64 N: N random base64url characters.
rand_b64() {
	head -c $(($1 + 16)) /dev/urandom | base64 -w0 | tr '+/' '-_' |
	    tr -d '=' | head -c "$1"
}

# mk_token FILE N: a token of N bytes (N >= 5) in three dot-separated
# segments, written to FILE (mode 0600, no newline).  Its first and last
# 24 bytes become markers that no standard error may hold.
mk_token() {
	_a=$(($2 / 5))
	_c=$(($2 / 5))
	_b=$(($2 - _a - _c - 2))
	printf '%s.%s.%s' "$(rand_b64 $_a)" "$(rand_b64 $_b)" \
	    "$(rand_b64 $_c)" >"$1" || exit 99
	chmod 0600 "$1"
	_len=$(wc -c <"$1")
	[ "$_len" -eq "$2" ] || { echo "mk_token: $_len bytes, not $2" >&2; exit 99; }
	head -c 24 "$1" >>"$T/markers" && echo >>"$T/markers"
	tail -c 24 "$1" >>"$T/markers" && echo >>"$T/markers"
}
: >"$T/markers"

mk_token "$T/t2500" 2500
mk_token "$T/t999" 999
mk_token "$T/t1000" 1000
mk_token "$T/t1001" 1001
mk_token "$T/t1998" 1998
mk_token "$T/t300" 300
mk_token "$T/t64parts" 63937     # 63 parts of 999 bytes and a last of 1000
mk_token "$T/t65parts" 63938
mk_token "$T/tmax" 65536

# ---- running it ----------------------------------------------------------------
# no_token_on_stderr DESC: the last run's standard error holds no marker.
no_token_on_stderr() {
	if grep -qF -f "$T/markers" "$T/stderr"; then
		not_ok "$1: token on stderr"
	else
		ok "$1: no token on stderr"
	fi
}

# ask WANT DESC PROMPT [VAR=VALUE]...: run it with PROMPT and the given
# environment; expect exit WANT; a refusal prints nothing on stdout.
ask() {
	_want=$1
	_desc=$2
	_prompt=$3
	shift 3
	expect_exit "$_want" "$_desc" env "$@" "$ASKPASS" "$_prompt"
	if [ "$_want" -ne 0 ]; then
		expect_stdout_empty "$_desc: nothing on stdout"
	fi
	no_token_on_stderr "$_desc"
}

# refuse DESC PROMPT [VAR=VALUE]...: exit 1, nothing on stdout.
refuse() {
	_d=$1
	shift
	ask 1 "$_d" "$@"
}

# check_answer DESC EXPECTED-FILE: the last run printed exactly the bytes
# of EXPECTED-FILE and a newline.
check_answer() {
	printf '\n' | cat "$2" - | cmp -s - "$T/stdout"
	if [ $? -eq 0 ]; then
		ok "$1: the expected answer"
	else
		not_ok "$1: not the expected answer"
		show_last
	fi
}

# collect DESC TOKEN-FILE N PREFIX [VAR=VALUE]...: ask for parts 1 to N
# (prompts "PREFIXToken: ", "PREFIXToken (part K): "), check that each is
# answered with at most 1000 bytes, all but the last ending in '\' and the
# last not, no token on stderr, and that together they are the token.
# Two results for the whole.
collect() {
	_cd=$1
	_tok=$2
	_n=$3
	_pre=$4
	shift 4
	: >"$T/assembled"
	_k=1
	_bad=
	while [ "$_k" -le "$_n" ]; do
		if [ "$_k" -eq 1 ]; then
			_p="${_pre}Token: "
		else
			_p="${_pre}Token (part $_k): "
		fi
		run_in /dev/null env "$@" "$ASKPASS" "$_p"
		if [ "$last_rc" -ne 0 ]; then
			not_ok "$_cd: part $_k: exit $last_rc, expected 0"
			show_last
			return
		fi
		grep -qF -f "$T/markers" "$T/stderr" &&
		    _bad="$_bad token on stderr at part $_k;"
		_lines=$(wc -l <"$T/stdout")
		_bytes=$(($(wc -c <"$T/stdout") - 1))
		[ "$_lines" -eq 1 ] || _bad="$_bad part $_k has $_lines lines;"
		[ "$_bytes" -le 1000 ] || _bad="$_bad part $_k has $_bytes bytes;"
		_last=$(tail -c 2 "$T/stdout" | head -c 1)
		if [ "$_k" -lt "$_n" ]; then
			[ "$_last" = '\' ] ||
			    _bad="$_bad part $_k does not end in a backslash;"
			[ "$_bytes" -eq 1000 ] ||
			    _bad="$_bad part $_k has $_bytes bytes, not 1000;"
			head -c "$((_bytes - 1))" "$T/stdout" >>"$T/assembled"
		else
			[ "$_last" != '\' ] ||
			    _bad="$_bad the last part ends in a backslash;"
			head -c "$_bytes" "$T/stdout" >>"$T/assembled"
		fi
		_k=$((_k + 1))
	done
	if [ -n "$_bad" ]; then
		not_ok "$_cd: parts:$_bad"
	else
		ok "$_cd: parts 1 to $_n answered (exit 0), at most 1000 bytes, '\\' on all but the last, no token on stderr"
	fi
	if cmp -s "$_tok" "$T/assembled"; then
		ok "$_cd: the parts make the token"
	else
		not_ok "$_cd: the parts do not make the token"
	fi
}

F() { echo "JWT_AUTH_TOKEN_FILE=$1"; }

# ==== positive: JWT_AUTH_TOKEN_FILE ===============================================
collect "2500-byte token" "$T/t2500" 3 "" "$(F "$T/t2500")"
refuse "part 4 of a 3-part token" "Token (part 4): " "$(F "$T/t2500")"
expect_stderr_contains "part 4 of a token of 3 parts" "part 4: says why"

collect "ssh's (alice@host) prefix" "$T/t2500" 3 "(alice@host) " \
    "$(F "$T/t2500")"
collect "sshd text before the prompt" "$T/t2500" 3 \
    "Welcome to host.example.test.
Log in with your corp JWT.
(alice@host.example.test) Corp " "$(F "$T/t2500")"

collect "999-byte token" "$T/t999" 1 "" "$(F "$T/t999")"
refuse "part 2 of a 999-byte token" "Token (part 2): " "$(F "$T/t999")"
collect "1000-byte token" "$T/t1000" 1 "" "$(F "$T/t1000")"
refuse "part 2 of a 1000-byte token" "Token (part 2): " "$(F "$T/t1000")"
collect "1001-byte token" "$T/t1001" 2 "" "$(F "$T/t1001")"
ask 0 "1001-byte token, part 2 alone" "Token (part 2): " "$(F "$T/t1001")"
[ "$(wc -c <"$T/stdout")" -eq 3 ] && ok "1001-byte token: last part of 2 bytes" ||
    not_ok "1001-byte token: last part of $(($(wc -c <"$T/stdout") - 1)) bytes"
refuse "part 3 of a 1001-byte token" "Token (part 3): " "$(F "$T/t1001")"
collect "1998-byte token" "$T/t1998" 2 "" "$(F "$T/t1998")"
refuse "part 3 of a 1998-byte token" "Token (part 3): " "$(F "$T/t1998")"

collect "63937-byte token in 64 parts" "$T/t64parts" 64 "" \
    "$(F "$T/t64parts")"
refuse "part 65 of a 64-part token" "Token (part 65): " "$(F "$T/t64parts")"
refuse "63938-byte token (65 parts)" "Token: " "$(F "$T/t65parts")"
expect_stderr_contains "needs 65 parts" "65 parts: says why"
refuse "65536-byte token" "Token: " "$(F "$T/tmax")"

# A trailing newline is dropped, one only.
cat "$T/t300" >"$T/t300nl" && printf '\n' >>"$T/t300nl" && chmod 0600 "$T/t300nl"
ask 0 "token file ending in a newline" "Token: " "$(F "$T/t300nl")"
check_answer "token file ending in a newline" "$T/t300"
ask 0 "300-byte token" "(bob@h) Token: " "$(F "$T/t300")"
check_answer "300-byte token" "$T/t300"
chmod 0400 "$T/t300"
ask 0 "token file of mode 0400" "Token: " "$(F "$T/t300")"
chmod 0600 "$T/t300"

# JWT_AUTH_TOKEN_FILE comes first when both are set; the command never runs.
ask 0 "file and command: the file wins" "Token: " "$(F "$T/t300")" \
    "JWT_AUTH_TOKEN_CMD=echo ran >>'$T/both-count'; cat '$T/t999'"
check_answer "file and command: the file wins" "$T/t300"
[ ! -e "$T/both-count" ] && ok "file and command: the command did not run" ||
    not_ok "file and command: the command ran"

# ==== negative: prompts ===============================================================
good=$(F "$T/t2500")
refuse "Password prompt" "Password: " "$good"
refuse "(alice@host) Password prompt" "(alice@host) Password: " "$good"
expect_stderr_contains "not a token prompt" "Password: says why"
refuse "Token: without the space" "Token:" "$good"
refuse "Token: with two spaces" "Token:  " "$good"
refuse "text after Token: " "Token: x" "$good"
refuse "newline after Token: " "Token: 
" "$good"
refuse "lower-case token: " "token: " "$good"
refuse "TOKEN: " "TOKEN: " "$good"
refuse "Token : " "Token : " "$good"
refuse "Token (part 1): " "Token (part 1): " "$good"
refuse "Token (part 0): " "Token (part 0): " "$good"
refuse "Token (part 65): " "Token (part 65): " "$good"
refuse "Token (part 100): " "Token (part 100): " "$good"
refuse "Token (part 02): " "Token (part 02): " "$good"
refuse "Token (part +2): " "Token (part +2): " "$good"
refuse "Token (part -2): " "Token (part -2): " "$good"
refuse "Token (part  2): " "Token (part  2): " "$good"
refuse "Token (part 2):" "Token (part 2):" "$good"
refuse "Token (part 2): x" "Token (part 2): x" "$good"
refuse "Token (part ): " "Token (part ): " "$good"
refuse "Token(part 2): " "Token(part 2): " "$good"
refuse "token (part 2): " "token (part 2): " "$good"
refuse "Token (Part 2): " "Token (Part 2): " "$good"
refuse "host key question" \
    "The authenticity of host 'h (127.0.0.1)' can't be established.
ED25519 key fingerprint is SHA256:abc.
Are you sure you want to continue connecting (yes/no/[fingerprint])? " "$good"
refuse "passphrase prompt" "Enter passphrase for key '/home/a/.ssh/id_ed25519': " \
    "$good"
refuse "empty prompt" "" "$good"
refuse "confirmation (SSH_ASKPASS_PROMPT=confirm)" "Token: " "$good" \
    SSH_ASKPASS_PROMPT=confirm
refuse "notification (SSH_ASKPASS_PROMPT=none)" "Token: " "$good" \
    SSH_ASKPASS_PROMPT=none

expect_exit 1 "no argument" env "$good" "$ASKPASS"
expect_stdout_empty "no argument: nothing on stdout"
expect_stderr_contains "usage:" "no argument: usage"
expect_exit 1 "two arguments" env "$good" "$ASKPASS" "Token: " "Token: "
expect_stdout_empty "two arguments: nothing on stdout"

# ==== negative: the token file =========================================================
bad_file() { # NAME CONTENT-COMMAND MODE
	eval "$2" >"$T/$1" || exit 99
	chmod "$3" "$T/$1"
}
cp "$T/t300" "$T/gw" && chmod 0620 "$T/gw"
refuse "token file writable by group" "Token: " "$(F "$T/gw")"
expect_stderr_contains "chmod 600" "group-writable: says why"
cp "$T/t300" "$T/ow" && chmod 0602 "$T/ow"
refuse "token file writable by others" "Token: " "$(F "$T/ow")"
cp "$T/t300" "$T/gr" && chmod 0640 "$T/gr"
refuse "token file readable by group" "Token: " "$(F "$T/gr")"
cp "$T/t300" "$T/or" && chmod 0604 "$T/or"
refuse "token file readable by others" "Token: " "$(F "$T/or")"
ln -s "$T/t300" "$T/link"
refuse "token file that is a symlink" "Token: " "$(F "$T/link")"
expect_stderr_contains "symbolic link" "symlink: says why"
mkdir "$T/dir" && chmod 0700 "$T/dir"
refuse "token file that is a directory" "Token: " "$(F "$T/dir")"
refuse "token file that does not exist" "Token: " "$(F "$T/nonexistent")"
if command -v mkfifo >/dev/null 2>&1 && command -v timeout >/dev/null 2>&1; then
	mkfifo -m 0600 "$T/fifo"
	expect_exit 1 "token file that is a FIFO (no hang)" \
	    timeout 30 env "$(F "$T/fifo")" "$ASKPASS" "Token: "
	expect_stdout_empty "FIFO: nothing on stdout"
fi
if [ "$(id -u)" -eq 0 ]; then
	cp "$T/t300" "$T/theirs" && chmod 0600 "$T/theirs" &&
	    chown 65534 "$T/theirs"
	refuse "token file of another user" "Token: " "$(F "$T/theirs")"
	expect_stderr_contains "owned by uid 65534" "another user's file: says why"
fi
bad_file empty ": " 0600
refuse "empty token file" "Token: " "$(F "$T/empty")"
bad_file nlonly "printf '\n'" 0600
refuse "token file of a newline" "Token: " "$(F "$T/nlonly")"
bad_file space "printf 'eyJh.eyJz dGFy.c2ln'" 0600
refuse "token with a space" "Token: " "$(F "$T/space")"
expect_stderr_contains "byte 10 of the token" "token with a space: says where"
bad_file nlin "printf 'eyJh.eyJz\ndGFy.c2ln'" 0600
refuse "token with a newline inside" "Token: " "$(F "$T/nlin")"
bad_file nl2 "cat '$T/t300'; printf '\n\n'" 0600
refuse "token with two trailing newlines" "Token: " "$(F "$T/nl2")"
bad_file crlf "cat '$T/t300'; printf '\r\n'" 0600
refuse "token ending in CR LF" "Token: " "$(F "$T/crlf")"
bad_file bs "printf 'eyJh.eyJz.c2ln\\\\'" 0600
refuse "token ending in a backslash" "Token: " "$(F "$T/bs")"
bad_file nul "printf 'eyJh.eyJz\\000.c2ln'" 0600
refuse "token with a NUL byte" "Token: " "$(F "$T/nul")"
bad_file plus "printf 'eyJh.eyJz+/=.c2ln'" 0600
refuse "token in base64, not base64url" "Token: " "$(F "$T/plus")"
bad_file huge "head -c 65537 /dev/zero | tr '\\000' A" 0600
refuse "token of 65537 bytes" "Token: " "$(F "$T/huge")"
expect_stderr_contains "longer than 65536 bytes" "65537 bytes: says why"
refuse "neither variable set" "Token: "
expect_stderr_contains "neither JWT_AUTH_TOKEN_FILE nor JWT_AUTH_TOKEN_CMD" \
    "neither variable: says why"
refuse "both variables empty" "Token: " JWT_AUTH_TOKEN_FILE= JWT_AUTH_TOKEN_CMD=

# A terminal on standard output is refused (script(1) gives one).
if command -v script >/dev/null 2>&1 &&
    script -qec true /dev/null >/dev/null 2>&1; then
	expect_exit 1 "standard output a terminal" script -qec \
	    "env '$(F "$T/t300")' '$ASKPASS' 'Token: '" /dev/null
	expect_stdout_contains "is a terminal" "terminal: says why"
	no_token_on_stderr "terminal"
	if grep -qF -f "$T/markers" "$T/stdout"; then
		not_ok "terminal: token shown on the terminal"
	else
		ok "terminal: no token on the terminal"
	fi
fi

# ==== JWT_AUTH_TOKEN_CMD ==================================================================
# The ssh process of the runs below is this shell: the marker that the
# command ran is $ran, the kept token $kept.  new_conn stands for a new
# connection (a new ssh process): it removes the marker.
ran=$run/jwt-auth-askpass.$$.ran
new_conn() {
	rm -f "$ran"
}
cmd_of() { # TOKEN-FILE COUNT-FILE
	echo "JWT_AUTH_TOKEN_CMD=echo run >>'$2'; cat '$1'"
}
count_of() {
	if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi
}
mode_of() {
	stat -c %a "$1" 2>/dev/null
}
# start_of PID: the start time of process PID (field 22 of /proc/PID/stat;
# field 2, the name, ends at the last ')').
start_of() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'
}
# state_file PATH START [FILE]: a kept token (or, without FILE, a marker)
# as jwt-auth-askpass writes it: START on the first line, then the token.
state_file() {
	{ printf '%s\n' "$2"; [ -z "${3:-}" ] || cat "$3"; } >"$1" || exit 99
	chmod 0600 "$1"
}
me=$(start_of $$)
case $me in
'' | *[!0-9]*)
	echo "# no start time in /proc/$$/stat: JWT_AUTH_TOKEN_CMD not tested"
	finish ;;
esac

# Three parts, the command run once, the token kept 0600 until the last.
new_conn
c3=$(cmd_of "$T/t2500" "$T/count3")
ask 0 "command, part 1 of 3" "(alice@host) Token: " "$c3"
cp "$T/stdout" "$T/c3-part1"
[ "$(mode_of "$kept")" = 600 ] && ok "command: kept token of mode 0600 after part 1" ||
    not_ok "command: kept token after part 1: mode '$(mode_of "$kept")'"
[ "$(head -n 1 "$kept")" = "$me" ] &&
    ok "command: the kept file records the start time of the ssh process" ||
    not_ok "command: the kept file starts with '$(head -n 1 "$kept")', not '$me'"
tail -n +2 "$kept" | cmp -s - "$T/t2500" && ok "command: the kept file holds the token" ||
    not_ok "command: the kept file does not hold the token"
[ "$(mode_of "$ran")" = 600 ] && [ "$(cat "$ran")" = "$me" ] &&
    ok "command: marker of mode 0600 with the start time of the ssh process" ||
    not_ok "command: marker '$(cat "$ran" 2>/dev/null)' of mode '$(mode_of "$ran")'"
ask 0 "command, part 2 of 3" "(alice@host) Token (part 2): " "$c3"
cat "$T/stdout" >>"$T/c3-part1"
[ -f "$kept" ] && ok "command: token still kept after part 2" ||
    not_ok "command: token gone after part 2"
ask 0 "command, part 3 of 3" "(alice@host) Token (part 3): " "$c3"
cat "$T/stdout" >>"$T/c3-part1"
[ ! -e "$kept" ] && ok "command: kept token removed after the last part" ||
    not_ok "command: kept token left after the last part"
[ "$(count_of "$T/count3")" -eq 1 ] && ok "command: run exactly once for 3 parts" ||
    not_ok "command: run $(count_of "$T/count3") times for 3 parts"
tr -d '\\\n' <"$T/c3-part1" >"$T/c3-assembled"
cmp -s "$T/c3-assembled" "$T/t2500" && ok "command: the parts make the token" ||
    not_ok "command: the parts do not make the token"
[ "$(ls -A "$run")" = "jwt-auth-askpass.$$.ran" ] &&
    ok "command: only the marker is left in XDG_RUNTIME_DIR" ||
    not_ok "command: XDG_RUNTIME_DIR holds $(ls -A "$run")"

# The collected form too, with a restrictive umask: the files are still 0600.
new_conn
umask 0277
ask 0 "command, umask 0277, part 1" "Token: " "$(cmd_of "$T/t1001" "$T/count2")"
umask 022
[ "$(mode_of "$kept")" = 600 ] && ok "command, umask 0277: kept token of mode 0600" ||
    not_ok "command, umask 0277: kept token of mode '$(mode_of "$kept")'"
[ "$(mode_of "$ran")" = 600 ] && ok "command, umask 0277: marker of mode 0600" ||
    not_ok "command, umask 0277: marker of mode '$(mode_of "$ran")'"
new_conn
umask 0277
collect "command, umask 0277" "$T/t1001" 2 "" "$(cmd_of "$T/t1001" "$T/count2")"
umask 022
[ "$(count_of "$T/count2")" -eq 2 ] &&
    ok "command, umask 0277: run once per connection" ||
    not_ok "command, umask 0277: run $(count_of "$T/count2") times for 2 connections"
[ ! -e "$kept" ] && ok "command, umask 0277: nothing kept at the end" ||
    not_ok "command, umask 0277: kept token left"

# One part: printed, nothing kept, but the marker is: it needs
# XDG_RUNTIME_DIR too.
new_conn
ask 0 "command, one part" "Token: " "$(cmd_of "$T/t1000" "$T/count1")"
check_answer "command, one part" "$T/t1000"
[ ! -e "$kept" ] && ok "command, one part: nothing kept" ||
    not_ok "command, one part: a token was kept"
[ -f "$ran" ] && ok "command, one part: the marker is there" ||
    not_ok "command, one part: no marker"
refuse "command, part 2 of a one-part token" "Token (part 2): " \
    "$(cmd_of "$T/t1000" "$T/count1")"
expect_stderr_contains "no token is kept" "part 2 of one: says why"
new_conn
refuse "command, one part, no XDG_RUNTIME_DIR" "Token: " \
    "$(cmd_of "$T/t300" "$T/count1")" XDG_RUNTIME_DIR=
expect_stderr_contains "runs once per ssh process and needs XDG_RUNTIME_DIR" \
    "no XDG_RUNTIME_DIR: says why"
[ "$(count_of "$T/count1")" -eq 1 ] &&
    ok "command: run neither for a later part nor without XDG_RUNTIME_DIR" ||
    not_ok "command: run $(count_of "$T/count1") times, expected once"

# The command's standard input is /dev/null, not ssh's.
new_conn
printf '%s' "$(cat "$T/t300")" >"$T/stdin-token"
expect_exit_in "$T/stdin-token" 1 "command reading stdin gets nothing" \
    env "JWT_AUTH_TOKEN_CMD=cat" "$ASKPASS" "Token: "
expect_stdout_empty "command reading stdin: nothing on stdout"
expect_stderr_contains "the token is empty" "command reading stdin: says why"
# The command's stdout is the answer only through the checks: a command
# that prints to its stderr shows that to the user, not to ssh.
new_conn
ask 0 "command writing to stderr" "Token: " \
    "JWT_AUTH_TOKEN_CMD=echo hello >&2; cat '$T/t300'"
check_answer "command writing to stderr" "$T/t300"

# SIGCHLD and SIGPIPE inherited as ignored (signals ignored by ssh stay
# ignored across exec): the command's exit status is still seen.
if command -v perl >/dev/null 2>&1; then
	new_conn
	ask 0 "command, SIGCHLD and SIGPIPE ignored" "Token: " \
	    "JWT_AUTH_TOKEN_CMD=cat '$T/t300'" \
	    perl -e '$SIG{CHLD} = $SIG{PIPE} = "IGNORE"; exec @ARGV or exit 99'
	check_answer "command, SIGCHLD and SIGPIPE ignored" "$T/t300"
	new_conn
	refuse "command failing, SIGCHLD ignored" "Token: " \
	    "JWT_AUTH_TOKEN_CMD=cat '$T/t300'; exit 4" \
	    perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV or exit 99'
	expect_stderr_contains "exit status 4" "command failing, SIGCHLD ignored: says why"
fi

# Failing commands.
new_conn
refuse "command failing" "Token: " "JWT_AUTH_TOKEN_CMD=cat '$T/t300'; exit 3"
expect_stderr_contains "exit status 3" "command failing: says why"
new_conn
refuse "command killed" "Token: " "JWT_AUTH_TOKEN_CMD=cat '$T/t300'; kill -9 \$\$"
expect_stderr_contains "killed by signal 9" "command killed: says why"
new_conn
refuse "command not found" "Token: " \
    "JWT_AUTH_TOKEN_CMD=/nonexistent/oidc-token corp"
expect_stderr_contains "exit status 127" "command not found: says why"
new_conn
refuse "command printing nothing" "Token: " "JWT_AUTH_TOKEN_CMD=true"
expect_stderr_contains "the token is empty" "command printing nothing: says why"
new_conn
refuse "command printing a space" "Token: " \
    "JWT_AUTH_TOKEN_CMD=printf 'eyJh.eyJz dGFy.c2ln'"
expect_stderr_contains "byte 10 of the token" "command printing a space: says why"
new_conn
refuse "command printing a long first line and more" "Token: " \
    "JWT_AUTH_TOKEN_CMD=cat '$T/t300'; echo; cat '$T/t300'"
expect_stderr_contains "not a base64url character" \
    "command printing two lines: says why"
if command -v timeout >/dev/null 2>&1; then
	# (under timeout, the ssh process is timeout: a new one each time)
	expect_exit 1 "command printing 1 MB (no hang)" timeout 30 env \
	    "JWT_AUTH_TOKEN_CMD=head -c 1000000 /dev/zero | tr '\\000' A; sleep 30" \
	    "$ASKPASS" "Token: "
	expect_stdout_empty "command printing 1 MB: nothing on stdout"
	expect_stderr_contains "printed more than 65536 bytes" \
	    "command printing 1 MB: says why"
fi
[ ! -e "$kept" ] && ok "failing commands: nothing kept" ||
    not_ok "failing commands: a token was kept"

# XDG_RUNTIME_DIR not usable: the command is not run (nothing printed,
# nothing kept).
new_conn
chmod 0755 "$run"
refuse "command, 3 parts, XDG_RUNTIME_DIR of mode 0755" "Token: " \
    "$(cmd_of "$T/t2500" "$T/count755")"
expect_stderr_contains "XDG_RUNTIME_DIR" "mode 0755: says why"
[ ! -e "$kept" ] && ok "mode 0755: nothing kept" || not_ok "mode 0755: a token was kept"
refuse "command, part 2, XDG_RUNTIME_DIR of mode 0755" "Token (part 2): " \
    "$(cmd_of "$T/t2500" "$T/count755")"
refuse "command, 1 part, XDG_RUNTIME_DIR of mode 0755" "Token: " \
    "$(cmd_of "$T/t300" "$T/count755")"
chmod 0700 "$run"
refuse "command, 3 parts, no XDG_RUNTIME_DIR" "Token: " \
    "$(cmd_of "$T/t2500" "$T/count755")" XDG_RUNTIME_DIR=
refuse "command, 3 parts, XDG_RUNTIME_DIR relative" "Token: " \
    "$(cmd_of "$T/t2500" "$T/count755")" XDG_RUNTIME_DIR=run
refuse "command, 3 parts, XDG_RUNTIME_DIR missing" "Token: " \
    "$(cmd_of "$T/t2500" "$T/count755")" "XDG_RUNTIME_DIR=$T/nonexistent"
if [ "$(id -u)" -eq 0 ]; then
	mkdir -m 0700 "$T/run-theirs" && chown 65534 "$T/run-theirs"
	refuse "command, 3 parts, XDG_RUNTIME_DIR of another user" "Token: " \
	    "$(cmd_of "$T/t2500" "$T/count755")" "XDG_RUNTIME_DIR=$T/run-theirs"
	[ -z "$(ls -A "$T/run-theirs")" ] && ok "another user's directory: untouched" ||
	    not_ok "another user's directory: written to"
fi
[ "$(count_of "$T/count755")" -eq 0 ] &&
    ok "XDG_RUNTIME_DIR not usable: the command never ran" ||
    not_ok "XDG_RUNTIME_DIR not usable: the command ran $(count_of "$T/count755") times"

# Later prompts: only from a kept token that is safe, fresh and of this
# very ssh process; on any failure the kept token is removed.
c=$(cmd_of "$T/t2500" "$T/count-later")
new_conn
refuse "command, part 2 before part 1" "Token (part 2): " "$c"
ask 0 "command, part 1 (then part 4)" "Token: " "$c"
refuse "command, part 4 of 3" "Token (part 4): " "$c"
[ ! -e "$kept" ] && ok "part 4 of 3: kept token removed" ||
    not_ok "part 4 of 3: kept token left"

new_conn
ask 0 "command, part 1 (then mode 0644)" "Token: " "$c"
chmod 0644 "$kept"
refuse "command, part 2 from a kept token of mode 0644" "Token (part 2): " "$c"
[ ! -e "$kept" ] && ok "kept token of mode 0644: removed" ||
    not_ok "kept token of mode 0644: left"

new_conn
ask 0 "command, part 1 (then aged)" "Token: " "$c"
touch -d '3 minutes ago' "$kept"
refuse "command, part 2 from a kept token 3 minutes old" "Token (part 2): " "$c"
expect_stderr_contains "older than 120 seconds" "old kept token: says why"
[ ! -e "$kept" ] && ok "old kept token: removed" || not_ok "old kept token: left"

# A kept token that records another start time was kept for an earlier
# process with the same pid (pid reuse): never used.
new_conn
ask 0 "command, part 1 (then start time changed)" "Token: " "$c"
tail -n +2 "$kept" >"$T/kept-body"
state_file "$kept" $((me + 1)) "$T/kept-body"
refuse "command, part 2 from a kept token of another start time" \
    "Token (part 2): " "$c"
[ ! -e "$kept" ] && ok "kept token of another start time: removed" ||
    not_ok "kept token of another start time: left"

cp "$T/t2500" "$T/elsewhere" && chmod 0600 "$T/elsewhere"
ln -s "$T/elsewhere" "$kept"
refuse "command, part 2 from a kept token that is a symlink" \
    "Token (part 2): " "$c"
[ -f "$T/elsewhere" ] && ok "kept symlink: its target untouched" ||
    not_ok "kept symlink: its target removed"
rm -f "$kept"

printf 'eyJh.eyJz dGFy.c2ln' >"$T/spaced"
state_file "$kept" "$me" "$T/spaced"
refuse "command, part 2 from a kept file that is not a token" \
    "Token (part 2): " "$c"
expect_stderr_contains "byte 10 of the token" "kept non-token: says why"
[ ! -e "$kept" ] && ok "kept non-token: removed" || not_ok "kept non-token: left"

# A token kept by an earlier attempt of this ssh process without a
# marker is replaced by the first prompt.
new_conn
state_file "$kept" "$me" "$T/t300"
ask 0 "command, part 1 over a token kept earlier" "Token: " "$c"
tail -n +2 "$kept" | cmp -s - "$T/t2500" && ok "earlier attempt: kept token replaced" ||
    not_ok "earlier attempt: kept token not replaced"
ask 0 "command, part 2 after the replacement" "Token (part 2): " "$c"
ask 0 "command, part 3 after the replacement" "Token (part 3): " "$c"
[ ! -e "$kept" ] && ok "after the replacement: removed after the last part" ||
    not_ok "after the replacement: kept token left"
[ "$(count_of "$T/count-later")" -eq 5 ] &&
    ok "command: run once per connection (5)" ||
    not_ok "command: run $(count_of "$T/count-later") times for 5 connections"

# ==== once per ssh process ==================================================================
# as_one_ssh TAG VAR=VALUE PROMPT...: answer the prompts in turn, each run a
# child of one shell, as ssh runs its askpass; run I leaves $T/TAG.I.out,
# .err and .rc.
as_one_ssh() {
	_tag=$T/$1
	_env=$2
	shift 2
	bash -c '
		tag=$1 env=$2 askpass=$3
		shift 3
		i=0
		for p in "$@"; do
			i=$((i + 1))
			env "$env" "$askpass" "$p" </dev/null >"$tag.$i.out" \
			    2>"$tag.$i.err"
			echo $? >"$tag.$i.rc"
		done
		exit 0' bash "$_tag" "$_env" "$ASKPASS" "$@"
}
# run_was TAG I RC DESC: run I of TAG exited RC, printed nothing when it
# refused, and showed no token on stderr.
run_was() {
	_f=$T/$1.$2
	if [ "$(cat "$_f.rc" 2>/dev/null)" = "$3" ]; then
		ok "$4 (exit $3)"
	else
		not_ok "$4: exit $(cat "$_f.rc" 2>/dev/null), expected $3"
		sed 's/^/  stderr: /' "$_f.err" 2>/dev/null
	fi
	if [ "$3" -ne 0 ] && [ -s "$_f.out" ]; then
		not_ok "$4: printed on stdout"
	fi
	if grep -qF -f "$T/markers" "$_f.err"; then
		not_ok "$4: token on stderr"
	fi
}
# err_has TAG I TEXT DESC
err_has() {
	if grep -qF -e "$3" "$T/$1.$2.err"; then
		ok "$4"
	else
		not_ok "$4: stderr lacks \"$3\""
		sed 's/^/  stderr: /' "$T/$1.$2.err"
	fi
}

# One part: a second "Token: " of the same ssh process is refused.
as_one_ssh w1 "$(cmd_of "$T/t300" "$T/count-w")" "Token: " "(alice@host) Token: "
run_was w1 1 0 "same ssh process, first Token: prompt"
printf '\n' | cat "$T/t300" - | cmp -s - "$T/w1.1.out" &&
    ok "same ssh process, first prompt: the token" ||
    not_ok "same ssh process, first prompt: not the token"
run_was w1 2 1 "same ssh process, second Token: prompt refused"
err_has w1 2 "the token was already given once in this connection" \
    "second Token: prompt: says why"
[ "$(count_of "$T/count-w")" -eq 1 ] &&
    ok "same ssh process: the command ran once for two Token: prompts" ||
    not_ok "same ssh process: the command ran $(count_of "$T/count-w") times"
# Another ssh process gets its own run.
as_one_ssh w2 "$(cmd_of "$T/t300" "$T/count-w")" "Token: "
run_was w2 1 0 "another ssh process, Token: prompt"
[ "$(count_of "$T/count-w")" -eq 2 ] &&
    ok "another ssh process: the command ran for it" ||
    not_ok "another ssh process: the command ran $(count_of "$T/count-w") times in all"

# Parts: a Token: prompt between them is refused, and ends the kept token.
as_one_ssh w3 "$(cmd_of "$T/t2500" "$T/count-w3")" "Token: " \
    "Token (part 2): " "Token: " "Token (part 3): "
run_was w3 1 0 "parts, same ssh process: part 1"
run_was w3 2 0 "parts, same ssh process: part 2"
run_was w3 3 1 "parts, same ssh process: Token: again refused"
err_has w3 3 "already given once" "parts, Token: again: says why"
run_was w3 4 1 "parts, same ssh process: part 3 after that refused"
err_has w3 4 "no token is kept" "parts, part 3 after Token: again: says why"
[ "$(count_of "$T/count-w3")" -eq 1 ] && ok "parts: the command ran once" ||
    not_ok "parts: the command ran $(count_of "$T/count-w3") times"

# A command that failed has run too.
as_one_ssh w4 "JWT_AUTH_TOKEN_CMD=echo run >>'$T/count-w4'; exit 3" \
    "Token: " "Token: " "Token: "
run_was w4 1 1 "failing command, first Token: prompt"
run_was w4 2 1 "failing command, second Token: prompt"
err_has w4 2 "already given once" "failing command, second prompt: says why"
run_was w4 3 1 "failing command, third Token: prompt"
[ "$(count_of "$T/count-w4")" -eq 1 ] &&
    ok "failing command: run once for three Token: prompts" ||
    not_ok "failing command: run $(count_of "$T/count-w4") times"

# ==== the sweep: every run removes what is stale =============================================
sh -c 'exit 0' &
dead=$!
wait "$dead"
sleep 60 </dev/null >/dev/null 2>&1 &
live=$!
sleep 60 </dev/null >/dev/null 2>&1 &
live2=$!
sleep 60 </dev/null >/dev/null 2>&1 &
live3=$!
s1=$(start_of "$live")
s2=$(start_of "$live2")
s3=$(start_of "$live3")
F_=$run/jwt-auth-askpass
new_conn
state_file "$F_.$dead.token" 5 "$T/t300"       # ssh gone
state_file "$F_.$dead.ran" 5
state_file "$F_.$dead.new" 5 "$T/t300"         # its writer gone
state_file "$F_.$live.token" "$s1" "$T/t300"   # fresh, of a running ssh
state_file "$F_.$live.ran" "$s1"
state_file "$F_.$live.new" 1 "$T/t300"         # being written
state_file "$F_.$live2.token" "$s2" "$T/t300"  # of a running ssh, too old
touch -d '3 minutes ago' "$F_.$live2.token"
state_file "$F_.$live2.ran" "$s2"              # markers do not age
touch -d '3 minutes ago' "$F_.$live2.ran"
state_file "$F_.$live2.new" 1 "$T/t300"        # written too long ago
touch -d '3 minutes ago' "$F_.$live2.new"
state_file "$F_.$live3.token" $((s3 + 1)) "$T/t300"  # pid reused
state_file "$F_.$live3.ran" $((s3 + 1))
state_file "$kept" $((me + 1)) "$T/t300"       # this shell's pid, reused
state_file "$F_.1.ran" "$s1"                   # pid 1 did not start then
printf 'other' >"$run/other.token"
printf 'keep' >"$F_.$live.token.keep"
chmod 0600 "$run"/*
# Any prompt will do, even one that is refused.
refuse "a Password: prompt (the sweep runs at every prompt)" "Password: " \
    "$(F "$T/t300")"
gone() { # FILE DESC
	[ ! -e "$1" ] && ok "sweep: $2: removed" || not_ok "sweep: $2: left"
}
left_alone() { # FILE DESC
	[ -e "$1" ] && ok "sweep: $2: left alone" || not_ok "sweep: $2: removed"
}
gone "$F_.$dead.token" "kept token of a gone ssh"
gone "$F_.$dead.ran" "marker of a gone ssh"
gone "$F_.$dead.new" "file being written by a gone process"
left_alone "$F_.$live.token" "fresh kept token of a running ssh"
left_alone "$F_.$live.ran" "marker of a running ssh"
left_alone "$F_.$live.new" "file being written by a running process"
gone "$F_.$live2.token" "kept token older than 120 s"
left_alone "$F_.$live2.ran" "marker older than 120 s of a running ssh"
gone "$F_.$live2.new" "file being written for more than 120 s"
gone "$F_.$live3.token" "kept token of another start time (pid reused)"
gone "$F_.$live3.ran" "marker of another start time (pid reused)"
gone "$kept" "kept token of this ssh's pid with another start time"
gone "$F_.1.ran" "marker of another start time (pid 1)"
left_alone "$run/other.token" "another file"
left_alone "$F_.$live.token.keep" "a name that is not ours"
# A usage error sweeps too.
kill "$live" "$live2" "$live3" 2>/dev/null
wait "$live" "$live2" "$live3" 2>/dev/null
expect_exit 1 "no argument (the sweep runs too)" "$ASKPASS"
gone "$F_.$live.token" "kept token once its ssh is gone"
gone "$F_.$live.ran" "marker once its ssh is gone"
gone "$F_.$live2.ran" "old marker once its ssh is gone"
rm -f "$run/other.token" "$F_.$live.token.keep" "$F_.$live.new" "$F_.1.ran"

# ==== a command that leaves something running ======================================================
# Under timeout, so a hang fails the test instead of stopping it; the
# ssh process is then timeout, a new one each time.
if command -v timeout >/dev/null 2>&1; then
	# Something in the background holding the command's stdout: cut off
	# 10 s after the command exited.
	t0=$(date +%s)
	expect_exit 1 "command leaving a child on its stdout: refused" \
	    timeout 60 env "JWT_AUTH_TOKEN_CMD=cat '$T/t300'; sleep 300 & echo \$! >'$T/bg1'" \
	    "$ASKPASS" "Token: "
	t1=$(date +%s)
	expect_stdout_empty "command leaving a child on its stdout: nothing on stdout"
	expect_stderr_contains "still open 10 s later" \
	    "command leaving a child on its stdout: says why"
	no_token_on_stderr "command leaving a child on its stdout"
	if [ $((t1 - t0)) -ge 9 ] && [ $((t1 - t0)) -le 30 ]; then
		ok "command leaving a child on its stdout: cut off after $((t1 - t0)) s (bound 10 s)"
	else
		not_ok "command leaving a child on its stdout: took $((t1 - t0)) s (bound 10 s)"
	fi
	[ -s "$T/bg1" ] && kill "$(cat "$T/bg1")" 2>/dev/null

	# ... with its output sent elsewhere: answered at once.
	t0=$(date +%s)
	ask 0 "command leaving a child with stdout elsewhere" "Token: " \
	    "JWT_AUTH_TOKEN_CMD=cat '$T/t300'; sleep 300 >/dev/null 2>&1 & echo \$! >'$T/bg2'" \
	    timeout 60 env
	t1=$(date +%s)
	check_answer "command leaving a child with stdout elsewhere" "$T/t300"
	[ $((t1 - t0)) -le 5 ] &&
	    ok "command leaving a child with stdout elsewhere: answered in $((t1 - t0)) s" ||
	    not_ok "command leaving a child with stdout elsewhere: took $((t1 - t0)) s"
	[ -s "$T/bg2" ] && kill "$(cat "$T/bg2")" 2>/dev/null

	# ... that closes it within the 10 s: answered.
	ask 0 "command leaving a child on its stdout for 2 s" "Token: " \
	    "JWT_AUTH_TOKEN_CMD=cat '$T/t300'; sleep 2 &" timeout 60 env
	check_answer "command leaving a child on its stdout for 2 s" "$T/t300"

	# No limit while the command itself runs (a login at the identity
	# provider takes longer than 10 s).
	ask 0 "command taking 11 s" "Token: " \
	    "JWT_AUTH_TOKEN_CMD=sleep 11; cat '$T/t300'" timeout 60 env
	check_answer "command taking 11 s" "$T/t300"
fi

finish
