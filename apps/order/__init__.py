"""Orders, their lines, and the payment events that move them."""
