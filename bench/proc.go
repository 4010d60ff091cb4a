package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// proc reads a server's resource use: CPU and memory from /proc (Linux), for a
// child of this command (a zero pid, a target run elsewhere, reads nothing there),
// and allocations from its metrics URL, if it has one.
type proc struct {
	pid     int
	metrics string
}

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// cpu returns the user plus system CPU time the process has used so far.
func (p proc) cpu() (time.Duration, bool) {
	if p.pid == 0 {
		return 0, false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: count fields after it.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, true
}

// memory returns a line of /proc/<pid>/status in bytes: VmRSS (resident now) or
// VmHWM (the peak since start or since resetPeak).
func (p proc) memory(field string) (int64, bool) {
	if p.pid == 0 {
		return 0, false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kib << 10, err == nil
		}
	}
	return 0, false
}

// resetPeak starts VmHWM afresh (proc(5): writing 5 to clear_refs), so that each
// run reports its own peak.
func (p proc) resetPeak() {
	if p.pid != 0 {
		_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.pid), []byte("5"), 0)
	}
}
