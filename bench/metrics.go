package main

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// allocs are cumulative counters of a server, read from its Prometheus endpoint
// (pwreset serves /metrics on the API address with METRICS_ON_API_ADDR=true, which the bench sets): the Go
// runtime's go_memstats_mallocs_total and _alloc_bytes_total, and the password
// hashes pwreset computed (pwreset_password_hash_duration_seconds_count), which
// show that a reset whose compare-and-set was lost does not hash again.
type allocs struct {
	objects, bytes, hashes float64
}

// readAllocs reads them from metricsURL; false if there is none or it has no such series.
func readAllocs(metricsURL string) (allocs, bool) {
	if metricsURL == "" {
		return allocs{}, false
	}
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(metricsURL)
	if err != nil {
		return allocs{}, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return allocs{}, false
	}
	var a allocs
	found := 0
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		name, value, ok := strings.Cut(lines.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		switch {
		case err != nil:
		case name == "go_memstats_mallocs_total":
			a.objects, found = v, found+1
		case name == "go_memstats_alloc_bytes_total":
			a.bytes, found = v, found+1
		case name == "pwreset_password_hash_duration_seconds_count":
			a.hashes = v
		}
	}
	return a, found == 2
}
