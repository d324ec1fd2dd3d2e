# shellcheck shell=sh disable=SC2034 # the launcher that sources it reads npc_keeps_running
# Sourced with npc-daemon's arguments by bin/npc-daemon, and run by the Nix package's npc-daemon
# wrapper: sets npc_keeps_running to 1 for a daemon that keeps running (`follow` without --once),
# which adds bin/jvm-resident.options to the JVM flags, and to nothing for every other command.
npc_keeps_running=
if [ "${1:-}" = follow ]; then
  npc_keeps_running=1
  for arg in "$@"; do
    case $arg in --once | --once=*) npc_keeps_running= ;; esac
  done
fi
