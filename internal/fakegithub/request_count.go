package fakegithub

// RequestsTo counts the requests received so far with the method and path.
func (s *Server) RequestsTo(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}
