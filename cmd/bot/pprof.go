package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/commit-labeler/commit-labeler/adminauth"
)

// servePprof serves Go's profiles (/debug/pprof/) on addr to the
// operator (guard.Operator), a listener of its own so that they are never
// reachable through the webhook address, until ctx ends.
func servePprof(ctx context.Context, addr string, guard *adminauth.Guard, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--pprof %s: %w", addr, err)
	}
	srv := &http.Server{Handler: guard.Operator(mux), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	log.Info("profiles served", "addr", ln.Addr().String())
	go srv.Serve(ln)
	return nil
}
