package app

import (
	"io"
	"log/slog"
)

// NewLogger returns the structured logger LOG_FORMAT asks for, writing to w.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}
