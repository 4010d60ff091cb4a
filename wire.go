//go:build wireinject

package main

import (
	"context"
	"log/slog"

	"github.com/google/wire"

	"github.com/pwreset/pwreset/app"
)

// initApp assembles the service from its configuration.
func initApp(ctx context.Context, cfg app.Config, log *slog.Logger, out app.Output) (*app.App, func(), error) {
	wire.Build(app.Set)
	return nil, nil, nil
}

// initOutboxTool assembles the outbox command from the same configuration.
func initOutboxTool(ctx context.Context, cfg app.Config, log *slog.Logger, out app.Output) (*app.OutboxTool, func(), error) {
	wire.Build(app.ToolSet)
	return nil, nil, nil
}

// initSupportTool assembles the support commands from the same configuration.
func initSupportTool(ctx context.Context, cfg app.Config, log *slog.Logger, out app.Output) (*app.SupportTool, func(), error) {
	wire.Build(app.SupportSet)
	return nil, nil, nil
}

// initCampaignTool assembles the campaign command from the same configuration.
func initCampaignTool(ctx context.Context, cfg app.Config, log *slog.Logger, out app.Output) (*app.CampaignTool, func(), error) {
	wire.Build(app.CampaignSet)
	return nil, nil, nil
}
