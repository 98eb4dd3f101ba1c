; expect: error Eelseif_in_while
!i = 0
while !i < 1
	!i #= !i+1
elseif 0
endwhile
