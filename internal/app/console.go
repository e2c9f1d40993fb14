package app

import "net/http"

// console returns the web console's handler, mounted at /console/ (GET /
// redirects there).
func (a *App) console() http.Handler { return http.NotFoundHandler() }
