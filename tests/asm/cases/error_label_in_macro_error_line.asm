; expect: error Elabel_not_found
; An error inside a macro body: asar prints the line inside the macro plus the call site.
macro jump_to(target)
	nop
	jmp <target>
endmacro
org $008000
	%jump_to(Missing)
