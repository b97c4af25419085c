# shellcheck shell=bash
# Free loopback ports for the test scripts and harnesses:
#   free_port_block COUNT LO HI   prints the first of COUNT consecutive ports within LO..HI
#                                 that no TCP socket uses (listening, connected or waiting),
#                                 from a random start; status 1 when there is none.
# Keep LO..HI below 32768: Linux hands out ephemeral ports from 32768-60999
# (/proc/sys/net/ipv4/ip_local_port_range), so a port up there can be taken by any outgoing
# connection between this check and the server's bind. Each script has its own range so
# that tests CTest runs side by side rarely try the same block. Source this file; it sets no
# shell options of its own.

# The local ports of every TCP socket on the machine, one per line.
_ports_in_use() {
  if command -v ss > /dev/null; then
    ss -Htan 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }'
  else
    awk 'NR > 1 { split($2, a, ":"); print strtonum("0x" a[2]) }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
  fi
}

free_port_block() {
  local count=$1 lo=$2 hi=$3 used slots try cand i busy
  used=" $(_ports_in_use | sort -un | tr '\n' ' ') "
  slots=$(((hi - lo + 1) / count))
  ((slots > 0)) || return 1
  for ((try = 0; try < 64; try++)); do
    cand=$((lo + ((RANDOM * 32768 + RANDOM + $$ + try) % slots) * count))
    busy=0
    for ((i = 0; i < count; i++)); do
      [[ $used == *" $((cand + i)) "* ]] && { busy=1; break; }
    done
    ((busy == 0)) && { echo "$cand"; return 0; }
  done
  return 1
}
