// Package fakeollama is an Ollama server for tests. It speaks the real HTTP
// API with the real types of github.com/ollama/ollama/api on both sides:
// /api/chat answers with a per-test script, /api/embed with deterministic
// vectors. Every request is recorded for assertions.
package fakeollama

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
)

// Reply is one scripted answer to a chat request.
type Reply struct {
	// Status is the HTTP status; 0 means 200. A status of 400 or more
	// answers {"error": Error}.
	Status int
	// Error is the error message of a failed status.
	Error string
	// Content is the assistant message content (the model's JSON answer).
	Content string
	// Raw, when set, is written as the whole response body instead of a
	// ChatResponse, for malformed HTTP bodies.
	Raw string
	// DoneReason is the final response's reason; "" means "stop". Use
	// "length" with a cut Content for a truncated answer.
	DoneReason string
	// Delay holds the answer back (unless the client gives up first).
	Delay time.Duration
}

// ChatScript decides the reply to the n-th chat request (1-based) this
// server received.
type ChatScript func(n int, req *api.ChatRequest) Reply

// Server is a running fake Ollama server.
type Server struct {
	*httptest.Server

	// EmbedDims is the length of /api/embed vectors (default 8).
	EmbedDims int

	script   ChatScript
	mu       sync.Mutex
	chats    []api.ChatRequest
	embeds   []api.EmbedRequest
	requests int
}

// New starts a server answering chat requests with script; it is closed at
// the end of the test.
func New(t testing.TB, script ChatScript) *Server {
	s := &Server{script: script, EmbedDims: 8}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat", s.chat)
	mux.HandleFunc("POST /api/embed", s.embed)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Chats returns the chat requests received so far, in arrival order.
func (s *Server) Chats() []api.ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]api.ChatRequest(nil), s.chats...)
}

// Embeds returns the embed requests received so far, in arrival order.
func (s *Server) Embeds() []api.EmbedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]api.EmbedRequest(nil), s.embeds...)
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req api.ChatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "decode chat request: "+err.Error())
		return
	}
	s.mu.Lock()
	s.chats = append(s.chats, req)
	s.requests++
	n := s.requests
	s.mu.Unlock()

	reply := s.script(n, &req)
	if reply.Delay > 0 {
		select {
		case <-time.After(reply.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case reply.Status >= http.StatusBadRequest:
		writeError(w, reply.Status, reply.Error)
	case reply.Raw != "":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, reply.Raw)
	default:
		reason := reply.DoneReason
		if reason == "" {
			reason = "stop"
		}
		writeJSON(w, http.StatusOK, api.ChatResponse{
			Model:      req.Model,
			CreatedAt:  time.Now().UTC(),
			Message:    api.Message{Role: "assistant", Content: reply.Content},
			Done:       true,
			DoneReason: reason,
		})
	}
}

func (s *Server) embed(w http.ResponseWriter, r *http.Request) {
	var req api.EmbedRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "decode embed request: "+err.Error())
		return
	}
	var inputs []string
	switch in := req.Input.(type) {
	case string:
		inputs = []string{in}
	case []any:
		for _, x := range in {
			str, ok := x.(string)
			if !ok {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("input element %v is not a string", x))
				return
			}
			inputs = append(inputs, str)
		}
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("input of type %T: want a string or a list of strings", req.Input))
		return
	}
	s.mu.Lock()
	s.embeds = append(s.embeds, req)
	dims := s.EmbedDims
	s.mu.Unlock()
	if req.Dimensions > 0 {
		dims = req.Dimensions
	}
	resp := api.EmbedResponse{Model: req.Model}
	for _, in := range inputs {
		resp.Embeddings = append(resp.Embeddings, Vector(in, dims))
	}
	writeJSON(w, http.StatusOK, resp)
}

// Vector is the deterministic unit vector /api/embed returns for text.
func Vector(text string, dims int) []float32 {
	v := make([]float32, dims)
	var norm float64
	block := sha256.Sum256([]byte(text))
	for i := range v {
		if i > 0 && i%8 == 0 {
			block = sha256.Sum256(block[:])
		}
		u := binary.BigEndian.Uint32(block[(i%8)*4:])
		x := float64(u)/math.MaxUint32*2 - 1
		v[i] = float32(x)
		norm += x * x
	}
	if norm > 0 {
		for i := range v {
			v[i] = float32(float64(v[i]) / math.Sqrt(norm))
		}
	}
	return v
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
