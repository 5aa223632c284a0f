package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kfake"
)

// kfakeLogger writes kfake's printf-style log lines to slog.
type kfakeLogger struct{ log *slog.Logger }

// Logf maps kfake's levels onto slog's: info is group membership changes and
// requests it could not handle, debug is group rebalancing detail.
func (l kfakeLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	var lvl slog.Level
	switch level {
	case kfake.LogLevelError:
		lvl = slog.LevelError
	case kfake.LogLevelWarn:
		lvl = slog.LevelWarn
	case kfake.LogLevelInfo:
		lvl = slog.LevelInfo
	default:
		lvl = slog.LevelDebug
	}
	// Enabled first: most lines are filtered out, and formatting them is the
	// expensive part.
	if !l.log.Enabled(context.Background(), lvl) {
		return
	}
	l.log.Log(context.Background(), lvl, fmt.Sprintf(format, args...))
}
