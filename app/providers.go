package app

import (
	"log/slog"
	"net/http"

	"github.com/google/wire"

	"github.com/pwreset/pwreset/adapters/hashpool"
	apihttp "github.com/pwreset/pwreset/adapters/http"
	"github.com/pwreset/pwreset/adapters/system"
	"github.com/pwreset/pwreset/domain/audit"
	"github.com/pwreset/pwreset/domain/outbox"
	"github.com/pwreset/pwreset/domain/reset"
	"github.com/pwreset/pwreset/ports"
)

// Core holds the providers every command shares: the stores, the mail, the domain.
// Adapters are chosen at run time by configuration: adding a backend is one adapter
// package and one case in openStores (app/store.go); a mail provider, one case in
// MailSettings.provider (app/mail.go).
var Core = wire.NewSet(
	StoreSet,
	ProvideResetConfig,
	ProvideSigner,
	ProvideTemplates,
	ProvidePolicy,
	ProvideMailProvider,
	ProvideTracing,
	ProvideHasher,
	ProvidePasswordHasher,
	ProvideDispatcher,
	ProvideBreachChecker,
	ProvideAudit,
	Metrics,
	wire.Bind(new(ports.Clock), new(system.Clock)),
	system.NewClock,
	outbox.NewQueue,
	wire.Bind(new(reset.Outbox), new(*outbox.Queue)),
	wire.Struct(new(reset.LinkSenderDeps), "*"),
	reset.NewLinkSender,
	wire.Struct(new(reset.ResetterDeps), "*"),
	reset.NewResetter,
)

// Set holds the Wire providers of the service: Core, the HTTP API and the App.
var Set = wire.NewSet(
	Core,
	ProvideListener,
	ProvideHTTPConfig,
	wire.Bind(new(apihttp.HashQueue), new(*hashpool.Pool)),
	ProvideReadiness,
	ProvideOperations,
	ProvideMetricsServer,
	ProvideAPI,
	wire.Bind(new(http.Handler), new(*apihttp.API)),
	wire.Struct(new(Deps), "*"),
	New,
)

// ToolSet holds the Wire providers of the outbox command: Core without a server.
var ToolSet = wire.NewSet(Core, wire.Value(Listener{}), NewOutboxTool)

// ProvideAudit returns the security event log, which also feeds the metrics.
func ProvideAudit(log *slog.Logger, obs ports.EventObserver) *audit.Log {
	return audit.New(log).WithObserver(obs)
}
