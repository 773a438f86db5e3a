; Every identifier used as a value; the fact extractor keeps those that name functions of the
; same file (callbacks and function pointers taken by a program).
(argument_list (identifier) @arg)
(argument_list (pointer_expression argument: (identifier) @arg))
(argument_list (cast_expression value: (identifier) @arg))
