; What a function body calls by name, and the names it passes as arguments (callbacks such as
; bpf_timer_set_callback(&t, cb), bpf_loop(n, cb, ctx, 0), or a function pointer taken).
(call_expression function: (identifier) @callee)
(argument_list (identifier) @arg)
(argument_list (pointer_expression argument: (identifier) @arg))
(argument_list (cast_expression value: (identifier) @arg))
