// The fixed POSIX scripts a run executes on the target (`sh -c SCRIPT sh ARG...`). User data
// reaches them only as positional parameters. Pure text; test/unit/remote-scripts.test.ts runs
// them with a local sh.
import { AGENT_BINARY, AGENT_SOURCES } from './agentBuild';

/**
 * $1 remoteDir ($HOME-relative with "~/"), $2 run token, $3 "1" to check sudo -n, $4 agent
 * variant (hash), $5 agentBuild, $6 the object's file name, $7 the SHA-256 the agent there must
 * have ("" when unknown); the object is stdin. Prints key=value lines (errors.ts parsePreflight)
 * and writes the object into the run directory. An agent file whose content is not $7 is
 * `agent=stale` (rebuilt or shipped again), never run; the compiler is probed unless it is cached.
 */
export const PREFLIGHT = `d=$1
case $d in "~") d=$HOME ;; "~/"*) d=$HOME/\${d#"~/"} ;; esac
echo "uid=$(id -u)"; echo "arch=$(uname -m)"; echo "release=$(uname -r)"
if command -v gzip >/dev/null 2>&1; then echo gzip=yes; fi
if [ "$3" = 1 ]; then if sudo -n true 2>/dev/null; then echo sudo=ok; else echo sudo=fail; fi; fi
agent=absent
if [ -e "$d/agent-$4/${AGENT_BINARY}" ]; then
  h=$(sha256sum <"$d/agent-$4/${AGENT_BINARY}" 2>/dev/null) || h=
  h=\${h%% *}
  if [ -x "$d/agent-$4/${AGENT_BINARY}" ] && [ -n "$7" ] && [ "$h" = "$7" ]; then agent=cached; else agent=stale; fi
fi
echo "agent=$agent"
if [ $agent != cached ] && [ "$5" = remote ]; then
  cc=; for c in cc gcc clang; do if command -v "$c" >/dev/null 2>&1; then cc=$c; break; fi; done
  echo "cc=$cc"
  if [ -n "$cc" ]; then
    if printf '#include <bpf/libbpf.h>\\nint main(void){return (int)libbpf_major_version();}\\n' | "$cc" -x c -o /dev/null - -lbpf >/dev/null 2>&1
    then echo libbpf=yes; else echo libbpf=no; fi
  fi
fi
mkdir -p -- "$d/run-$2" && echo "rundir=$d/run-$2" && echo "dir=$d" && cat >"$d/run-$2/$6"`;

/**
 * $1 source directory, $2 agent directory, $3 compiler; the sources are a tar archive on stdin.
 * Prints `agent_sha256=HASH` of the agent it installed (where sha256sum exists), which the next
 * run's preflight must find again to trust the cached agent.
 */
export const BUILD = `set -e
mkdir -p "$1" && tar -xf - -C "$1" && cd "$1"
"$3" -O2 -Wall -o ${AGENT_BINARY} ${AGENT_SOURCES.filter((f) => f.endsWith('.c')).join(' ')} -lbpf 2>&1
mkdir -p "$2"
h=$(sha256sum <${AGENT_BINARY} 2>/dev/null) || h=
mv -f ${AGENT_BINARY} "$2/${AGENT_BINARY}"
echo "agent_sha256=\${h%% *}"`;

/** $1 agent directory, $2 temporary path; the static agent is stdin, renamed into place when complete. */
export const INSTALL = `mkdir -p -- "$1" && cat >"$2" && chmod 0755 "$2" && mv -f -- "$2" "$1/${AGENT_BINARY}"`;

/**
 * $1 run directory, then the agent's argv: runs it, then removes the run directory whatever it
 * did. Marks the run started first and does not start the agent once STOP_AGENT has marked it
 * cancelled (exit 130): with STOP_AGENT's order (mark, then look) a Cancel is never lost between
 * the ssh session starting and the agent writing its pidfile.
 */
export const RUN = `d=$1; shift
: >"$d/run.started" || exit 126
if [ -e "$d/cancel" ]; then rm -rf -- "$d"; exit 130; fi
"$@"; rc=$?; rm -rf -- "$d"; exit $rc`;

/**
 * $1 run directory, $2 signal name (TERM, KILL): marks the run cancelled, then signals the agent
 * through its pidfile ($1/agent.pid), waiting up to 10 s for a started run's agent to write it.
 */
export const STOP_AGENT = `d=$1
[ -d "$d" ] || exit 0
: >"$d/cancel" 2>/dev/null
i=0
while [ ! -s "$d/agent.pid" ] && [ -e "$d/run.started" ] && [ $i -lt 100 ]; do sleep 0.1 2>/dev/null || sleep 1; i=$((i + 1)); done
p=$(cat "$d/agent.pid" 2>/dev/null) || exit 0
kill -"$2" "$p" 2>/dev/null || true`;

/**
 * $1 run directory; started beside RUN with its stdin kept open: a line `TERM` on stdin stops the
 * agent as STOP_AGENT does, end of input (the run finished) ends it quietly. A Cancel then takes
 * one write on a session that is already up, not a new session's start.
 */
export const STOP_ON_REQUEST = `read -r sig || exit 0
[ "$sig" = TERM ] || exit 0
set -- "$1" TERM
${STOP_AGENT}`;

/**
 * $1 remoteDir (as in PREFLIGHT), $2 run token: removes what a run that did not finish left
 * there (its run directory, a half-installed static agent).
 */
export const CLEANUP = `d=$1
case $d in "~") d=$HOME ;; "~/"*) d=$HOME/\${d#"~/"} ;; esac
rm -rf -- "$d/run-$2"
rm -f -- "$d"/agent-*/${AGENT_BINARY}."$2"`;

/** $1 path in the run directory, $2 "gz" when stdin is gzip-compressed: the user's loader (built here, static) is stdin. */
export const INSTALL_LOADER = `if [ "$2" = gz ]; then gzip -dc >"$1"; else cat >"$1"; fi && chmod 0755 "$1"`;
