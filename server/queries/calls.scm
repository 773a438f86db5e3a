; Calls by name, and functions passed by name as arguments (callbacks such as
; bpf_timer_set_callback(&t, cb), bpf_loop(n, cb, ctx, 0)).
(call_expression
  function: (identifier) @callee
  arguments: (argument_list) @args)
