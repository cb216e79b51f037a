while 1
  continue
end
