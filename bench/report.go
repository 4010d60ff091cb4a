package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// printReport writes the results as a Markdown table, with the targets checked.
func printReport(w io.Writer, o options, echo outcome, hasher hashRate, runs []outcome, sustained *rssSeries) {
	fmt.Fprintf(w, "\n| run | load | answers | answers/s | p50 | p99 | all 200 | CPU/answer | allocs/answer | hashes/answer | peak RSS | ratio |\n")
	fmt.Fprintf(w, "|---|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|\n")
	row(w, echo, "")
	if hasher.hashes > 0 {
		fmt.Fprintf(w, "| raw argon2id | %d goroutines | %d | %.1f | | | | %s | | 1 | | |\n",
			hasher.workers, hasher.hashes, hasher.perSecond(), perAnswer(hasher.cpu, uint64(hasher.hashes)))
	}
	for _, r := range runs {
		row(w, r, ratio(r, echo, hasher))
	}
	if sustained != nil {
		row(w, sustained.run, ratio(sustained.run, echo, hasher))
	}
	fmt.Fprintln(w)
	checks(w, echo, hasher, runs, sustained)
}

func row(w io.Writer, r outcome, ratio string) {
	how := fmt.Sprintf("%d conns", r.conns)
	if r.rate > 0 {
		how = fmt.Sprintf("%d/s", r.rate)
	}
	if r.loadAvg != "" {
		how += ", load " + r.loadAvg
	}
	rss := ""
	if r.peakRSS > 0 {
		rss = fmt.Sprintf("%.0f MiB", float64(r.peakRSS)/(1<<20))
	}
	allocs := ""
	if n := float64(r.metrics.Requests); r.allocs.objects > 0 && n > 0 {
		allocs = fmt.Sprintf("%.0f (%.1f KB)", r.allocs.objects/n, r.allocs.bytes/n/1000)
		if r.allocs.bytes/n >= 1e6 {
			allocs = fmt.Sprintf("%.0f (%.1f MB)", r.allocs.objects/n, r.allocs.bytes/n/1e6)
		}
	}
	hashes := ""
	if n := float64(r.metrics.Requests); strings.HasPrefix(r.name, "reset") && r.allocs.objects > 0 && n > 0 {
		hashes = fmt.Sprintf("%.2f", r.allocs.hashes/n)
	}
	fmt.Fprintf(w, "| %s | %s | %d | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.name, how, r.metrics.Requests,
		r.perSecond(), round(r.metrics.Latencies.P50), round(r.metrics.Latencies.P99), yes(r.all200()),
		perAnswer(r.cpu, r.metrics.Requests), allocs, hashes, rss, ratio)
}

// ratio is a run's rate to its reference (bare Echo, or the raw hasher) and, in
// parentheses, the ratio of their CPU time per answer: the rate one core would give
// each, which others' load on a shared machine skews far less.
func ratio(r outcome, echo outcome, hasher hashRate) string {
	var name string
	var rate float64
	var cpu time.Duration
	switch r.base {
	case "echo":
		if r.ref != nil {
			echo = *r.ref
		}
		name, rate, cpu = "Echo", echo.perSecond(), perAnswerOf(echo.cpu, echo.metrics.Requests)
	case "hasher":
		name, rate, cpu = "argon2id", hasher.perSecond(), perAnswerOf(hasher.cpu, uint64(hasher.hashes))
	default:
		return ""
	}
	out := fmt.Sprintf("%.2f × %s", r.perSecond()/rate, name)
	if own := perAnswerOf(r.cpu, r.metrics.Requests); own > 0 && cpu > 0 {
		out += fmt.Sprintf(" (CPU %.2f ×)", float64(cpu)/float64(own))
	}
	return out
}

// perAnswerOf is cpu shared out over n answers; 0 if either is unknown.
func perAnswerOf(cpu time.Duration, n uint64) time.Duration {
	if cpu <= 0 || n == 0 {
		return 0
	}
	return cpu / time.Duration(n)
}

func perAnswer(cpu time.Duration, n uint64) string {
	if d := perAnswerOf(cpu, n); d > 0 {
		return round(d).String()
	}
	return ""
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// checks prints each target of issue 9 with what was measured and whether it holds.
func checks(w io.Writer, echo outcome, hasher hashRate, runs []outcome, sustained *rssSeries) {
	find := func(name string) (outcome, bool) {
		for _, r := range runs {
			if r.name == name {
				return r, true
			}
		}
		return outcome{}, false
	}
	check := func(ok bool, format string, args ...any) {
		fmt.Fprintf(w, "- [%s] %s\n", map[bool]string{true: "x", false: " "}[ok], fmt.Sprintf(format, args...))
	}
	first, ok1 := find("send-link, existing user, window 1")
	last, ok3 := find("send-link, existing user, window 3")
	if ok1 && ok3 {
		r := first.perSecond() / echo.perSecond()
		check(r >= 0.5 && first.all200(), "send-link ≥ 0.5 × bare Echo, every answer 200: %s", ratio(first, echo, hasher))
		check(last.perSecond() >= 0.9*first.perSecond(), "third window ≥ 0.9 × the first: %.2f ×", last.perSecond()/first.perSecond())
		if c1, c3 := perAnswerOf(first.cpu, first.metrics.Requests), perAnswerOf(last.cpu, last.metrics.Requests); c1 > 0 && c3 > 0 {
			check(c3 <= c1*11/10, "the work per answer does not grow (the rate above follows others' load; this does not): CPU/answer %s, then %s in the third window",
				round(c1), round(c3))
		}
	}
	for _, name := range []string{"reset, one reusable link", "reset, many users"} {
		if r, ok := find(name); ok {
			x := r.perSecond() / hasher.perSecond()
			check(r.all200() && x >= 0.9, "%s: every answer 200 and ≥ 0.9 × raw argon2id: %s, all 200: %s", name, ratio(r, echo, hasher), yes(r.all200()))
		}
	}
	if r, ok := find("reset, many users, 256 connections"); ok && r.peakRSS > 0 {
		check(r.peakRSS < 256<<20, "peak RSS with 256 concurrent resets < 256 MiB: %.0f MiB", float64(r.peakRSS)/(1<<20))
	}
	if sustained != nil && len(sustained.samples) > 0 {
		lo, hi := sustained.after()
		if first, last := sustained.rates(); first > 0 {
			check(last >= 0.9*first, "no slowdown over %s: the last 10 s at %.2f × the first 10 s after warm-up (%.0f and %.0f answers/s)",
				sustained.run.duration-sustained.warmUp, last/first, first, last)
		}
		if first, last := sustained.cpuPerAnswer(); first > 0 {
			check(last <= first*11/10, "the work per answer does not grow over %s: CPU/answer %s in the first 10 s after warm-up, %s in the last",
				sustained.run.duration-sustained.warmUp, round(first), round(last))
		}
		if first, last := sustained.trend(); first > 0 {
			check(last <= 1.1*first && last >= first/1.1, "RSS flat within 10 %% over %s after %s warm-up: %.1f MiB in the first 10 s, %.1f in the last (%+.1f %%); samples %.1f to %.1f MiB",
				sustained.run.duration-sustained.warmUp, sustained.warmUp, first/(1<<20), last/(1<<20), 100*(last-first)/first,
				float64(lo)/(1<<20), float64(hi)/(1<<20))
		}
	}
}
