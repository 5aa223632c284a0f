# Shared helpers of the scripts: where things live and how a background
# service is started, waited for and stopped. Sourced, not run.
# shellcheck shell=bash

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run_dir="${repo_root}/.run"
bin_dir="${run_dir}/bin"
pid_dir="${run_dir}/pids"
log_dir="${run_dir}/log"

say() { printf '%s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

# build compiles the named services into .run/bin.
build() {
	mkdir -p "${bin_dir}"
	local svc
	for svc in "$@"; do
		(cd "${repo_root}/services/${svc}" && go build -o "${bin_dir}/${svc}" .) || die "build ${svc}"
	done
}

# running PID: the process exists and is not a zombie waiting to be reaped
# (kill -0 succeeds on a zombie).
running() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ -n ${state} && ${state} != Z* ]]
}

alive() {
	local pid_file="${pid_dir}/$1.pid"
	[[ -f ${pid_file} ]] && running "$(cat "${pid_file}")"
}

# start_service NAME BINARY [VAR=value...]: runs .run/bin/BINARY in the
# background with the given environment, unless NAME already runs.
start_service() {
	local name=$1 binary=$2
	shift 2
	mkdir -p "${pid_dir}" "${log_dir}"
	if alive "${name}"; then
		say "${name}: already running (pid $(cat "${pid_dir}/${name}.pid"))"
		return 0
	fi
	(cd "${repo_root}" && exec env "$@" setsid "${bin_dir}/${binary}" >>"${log_dir}/${name}.log" 2>&1 </dev/null) &
	echo $! >"${pid_dir}/${name}.pid"
	sleep 0.3
	alive "${name}" || die "${name} exited at start; see ${log_dir}/${name}.log:$(printf '\n')$(tail -n 20 "${log_dir}/${name}.log")"
	say "${name}: started (pid $!, log .run/log/${name}.log)"
}

# stop_service NAME: SIGTERM, then waits up to 60 s for a graceful exit
# (the broker writes its topic list and the materializers commit on the way
# out), and only then SIGKILL.
stop_service() {
	local name=$1 pid_file="${pid_dir}/$1.pid"
	if ! alive "${name}"; then
		rm -f "${pid_file}"
		return 0
	fi
	local pid
	pid=$(cat "${pid_file}")
	kill -TERM "${pid}"
	for _ in $(seq 1 600); do
		running "${pid}" || break
		sleep 0.1
	done
	if running "${pid}"; then
		say "${name}: still running after 60 s, killing"
		kill -KILL "${pid}"
	fi
	rm -f "${pid_file}"
	say "${name}: stopped"
}

# wait_port HOST:PORT [SECONDS]: until something accepts connections there.
wait_port() {
	local hostport=$1 timeout=${2:-30}
	for _ in $(seq 1 $((timeout * 10))); do
		if (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	die "nothing listens on ${hostport} after ${timeout} s"
}
