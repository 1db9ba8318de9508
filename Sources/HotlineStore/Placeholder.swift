// Store arrives next.
