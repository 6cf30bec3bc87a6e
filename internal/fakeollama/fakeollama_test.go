package fakeollama

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/ollama/ollama/api"
)

func client(t *testing.T, s *Server) *api.Client {
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return api.NewClient(u, s.Client())
}

func TestChat(t *testing.T) {
	s := New(t, func(n int, req *api.ChatRequest) Reply {
		if n == 1 {
			return Reply{Status: http.StatusTooManyRequests, Error: "busy"}
		}
		return Reply{Content: `{"echo":"` + req.Messages[0].Content + `"}`}
	})
	c := client(t, s)
	stream := false
	req := &api.ChatRequest{Model: "m", Stream: &stream, Messages: []api.Message{{Role: "user", Content: "hi"}},
		Options: map[string]any{"temperature": 0, "seed": 7}}
	err := c.Chat(context.Background(), req, func(api.ChatResponse) error { return nil })
	var se api.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTooManyRequests || se.ErrorMessage != "busy" {
		t.Fatalf("first chat: err = %v, want status 429 busy", err)
	}
	var got []api.ChatResponse
	if err := c.Chat(context.Background(), req, func(r api.ChatResponse) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Done || got[0].Message.Content != `{"echo":"hi"}` || got[0].DoneReason != "stop" {
		t.Fatalf("responses = %+v", got)
	}
	chats := s.Chats()
	if len(chats) != 2 || chats[1].Options["seed"] != 7.0 || chats[1].Model != "m" {
		t.Fatalf("recorded %+v", chats)
	}
}

func TestEmbed(t *testing.T) {
	s := New(t, nil)
	c := client(t, s)
	resp, err := c.Embed(context.Background(), &api.EmbedRequest{Model: "e", Input: []string{"a", "b", "a"}, Dimensions: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Embeddings) != 3 || len(resp.Embeddings[0]) != 20 {
		t.Fatalf("embeddings shape %d×%d", len(resp.Embeddings), len(resp.Embeddings[0]))
	}
	if !reflect.DeepEqual(resp.Embeddings[0], resp.Embeddings[2]) || reflect.DeepEqual(resp.Embeddings[0], resp.Embeddings[1]) {
		t.Fatal("vectors are not a function of the input")
	}
	var norm float64
	for _, x := range resp.Embeddings[0] {
		norm += float64(x) * float64(x)
	}
	if math.Abs(norm-1) > 1e-5 {
		t.Fatalf("norm² = %v, want 1", norm)
	}
	one, err := c.Embed(context.Background(), &api.EmbedRequest{Model: "e", Input: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one.Embeddings[0], Vector("a", 8)) {
		t.Fatal("single input differs from Vector")
	}
	if _, err := c.Embed(context.Background(), &api.EmbedRequest{Model: "e", Input: 3}); err == nil {
		t.Fatal("numeric input accepted")
	}
}
