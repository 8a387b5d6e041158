console.log('bundle placeholder');
